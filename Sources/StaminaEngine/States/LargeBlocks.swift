// Makes every large block its own mapping, given back to the system the moment it is freed.
//
// glibc's malloc raises its mmap threshold each time a mapped block is freed (up to 32 MB), so
// that later blocks of that size come from the heap, and the heap keeps what is freed in its
// middle: on a 1.3 M-state model the numerics ran next to about 5 MB of vectors freed before them.
// A fixed threshold also keeps the explorer's growing buffers mapped, where `realloc` moves them
// by remapping pages instead of copying (`FlatBuffer`). 4 MiB, not less: each mapped block is
// faulted in afresh, and solvers that allocate per component (`TopologicalSolve` on polling) paid
// 8 % more CPU at 1 MiB; measured on the tandem queue at 1.3 M states, 4 MiB also keeps the lowest
// peak (1, 2, 4, 6 and 8 MiB tried).

#if canImport(Glibc)
    import Glibc
#endif

enum LargeBlocks {
    /// The threshold from which a block gets its own mapping.
    static let threshold: Int32 = 4 << 20

    /// Sets the threshold once per process (evaluated by the first explorer); false where the C
    /// library has no `mallopt`.
    static let returnedWhenFreed: Bool = {
        #if canImport(Glibc)
            // `mallopt` is in <malloc.h>, which the Glibc module does not export; M_MMAP_THRESHOLD
            // is -3 there.
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
            return mallopt(-3, threshold) == 1
        #else
            return false
        #endif
    }()
}
