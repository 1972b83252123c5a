// The server target. See ARCHITECTURE.md.
