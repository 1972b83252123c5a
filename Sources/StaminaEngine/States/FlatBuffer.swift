// A growable buffer of plain values with unchecked access, for the explorer's hot loops.
//
// Swift arrays would do, but their uniqueness checks and bounds checks cost a measurable share
// of exploration time; this owns its memory and hands out raw pointers. Memory comes from
// malloc and grows with realloc, which moves large blocks by remapping pages instead of copying.

import Foundation

final class FlatBuffer<Element: BitwiseCopyable> {
    var base: UnsafeMutablePointer<Element>
    var count: Int = 0
    var capacity: Int

    init(capacity: Int = 16) {
        self.capacity = Swift.max(capacity, 16)
        guard let raw = malloc(self.capacity * MemoryLayout<Element>.stride) else {
            fatalError("out of memory allocating \(self.capacity) elements")
        }
        base = raw.bindMemory(to: Element.self, capacity: self.capacity)
    }

    deinit { free(base) }

    @inline(__always)
    subscript(index: Int) -> Element {
        get { base[index] }
        set { base[index] = newValue }
    }

    @inline(__always)
    func append(_ element: Element) {
        if count == capacity { grow(to: count + 1) }
        base[count] = element
        count += 1
    }

    /// Makes room for `extra` more elements and returns where they go (count is not changed).
    @inline(__always)
    func reserveTail(_ extra: Int) -> UnsafeMutablePointer<Element> {
        if count + extra > capacity { grow(to: count + extra) }
        return base + count
    }

    func grow(to minimum: Int) {
        var newCapacity = capacity
        while newCapacity < minimum {
            newCapacity = newCapacity < 1 << 20 ? newCapacity * 2 : newCapacity + newCapacity / 2
        }
        guard let raw = realloc(base, newCapacity * MemoryLayout<Element>.stride) else {
            fatalError("out of memory growing to \(newCapacity) elements")
        }
        base = raw.bindMemory(to: Element.self, capacity: newCapacity)
        capacity = newCapacity
    }

    func removeAll() { count = 0 }

    /// Empties the buffer and gives its memory back (large blocks go straight back to the system).
    func release() {
        count = 0
        capacity = 16
        guard let raw = realloc(base, capacity * MemoryLayout<Element>.stride) else {
            fatalError("out of memory shrinking to \(capacity) elements")
        }
        base = raw.bindMemory(to: Element.self, capacity: capacity)
    }

    /// Gives back the capacity beyond `count`.
    func shrinkToFit() {
        let newCapacity = Swift.max(count, 16)
        guard newCapacity < capacity else { return }
        guard let raw = realloc(base, newCapacity * MemoryLayout<Element>.stride) else {
            fatalError("out of memory shrinking to \(newCapacity) elements")
        }
        base = raw.bindMemory(to: Element.self, capacity: newCapacity)
        capacity = newCapacity
    }

    var array: [Element] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Moves the elements into an array and empties the buffer, giving back each page of the
    /// buffer as soon as it is copied (`madvise`), so that the copy and the original are never
    /// both resident: moving 200 MB of transitions costs a few MB more, not 200.
    func drain() -> [Element] {
        let total = count
        guard total > 0 else {
            release()
            return []
        }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let chunk = Swift.max(1, (1 << 20) / MemoryLayout<Element>.stride)
        let source = UnsafeRawPointer(base)
        let result = [Element](unsafeUninitializedCapacity: total) { buffer, initialized in
            guard let destination = buffer.baseAddress else { return }
            var copied = 0
            var givenBack = (Int(bitPattern: source) + page - 1) / page * page
            while copied < total {
                let step = Swift.min(chunk, total - copied)
                (destination + copied).initialize(from: base + copied, count: step)
                copied += step
                // Only whole pages inside the copied part: never the allocator's header before `base`.
                let end = (Int(bitPattern: source) + copied * MemoryLayout<Element>.stride) / page * page
                if end > givenBack, let start = UnsafeMutableRawPointer(bitPattern: givenBack) {
                    _ = madvise(start, end - givenBack, Int32(MADV_DONTNEED))
                    givenBack = end
                }
            }
            initialized = total
        }
        release()
        return result
    }

    /// Bytes held, for memory estimates.
    var allocatedBytes: Int { capacity * MemoryLayout<Element>.stride }
}
