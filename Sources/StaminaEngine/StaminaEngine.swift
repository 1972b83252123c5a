// The engine target. See ARCHITECTURE.md.
