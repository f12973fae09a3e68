// SPDX-License-Identifier: Apache-2.0

/// The `dup2` steps that put `sources[i]` at `first + i` in a child, in an order
/// where no step overwrites a descriptor a later step still reads.
///
/// Copying every source above the target range first (the simple way) needs a
/// second descriptor for each one in the parent: fdstore-host passing 10,000
/// sessions would need 20,000, this machine's per-process cap. Ordering the steps
/// needs only `spare`, one number outside the sources, to break a cycle
/// (fd 4 to 3 while fd 3 goes to 4); the child closes it with everything else
/// from `first + sources.count` up. A source already at its place gets a step
/// to itself, which clears its close-on-exec flag.
public enum DescriptorPlacement {
    public static func steps(_ sources: [Int32], first: Int32) -> [(from: Int32, to: Int32)] {
        let taken = Set(sources)
        var spare = first + Int32(sources.count)
        while taken.contains(spare) { spare += 1 }

        var steps: [(from: Int32, to: Int32)] = []
        var sourceOf: [Int32: Int32] = [:]  // pending: target → source
        var targetOf: [Int32: Int32] = [:]  // pending: source → target
        for (index, source) in sources.enumerated() {
            let target = first + Int32(index)
            if source == target {
                steps.append((source, target))
            } else {
                sourceOf[target] = source
                targetOf[source] = target
            }
        }
        // A step may go once its target is no longer some pending step's source.
        var ready = sourceOf.keys.filter { targetOf[$0] == nil }
        while !sourceOf.isEmpty {
            while let target = ready.popLast() {
                let source = sourceOf.removeValue(forKey: target)!
                targetOf[source] = nil
                steps.append((source, target))
                if sourceOf[source] != nil { ready.append(source) }
            }
            // What is left are cycles: move one member aside to the spare.
            guard let (target, _) = sourceOf.first, let waiting = targetOf.removeValue(forKey: target) else { break }
            steps.append((target, spare))
            sourceOf[waiting] = spare
            targetOf[spare] = waiting
            ready.append(target)
        }
        return steps
    }
}
