//! Data parallelism without a thread-pool dependency: split a slice into one chunk per core,
//! map each chunk on a scoped thread, and keep the input order.

/// Maps `items` with `f` on up to one thread per core (at most 8); small inputs stay on the
/// calling thread. Results come back in the order of `items`.
pub fn map_chunks<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_chunks_with(items, || (), |(), item| f(item))
}

/// [`map_chunks`] with a scratch value per thread: `init` makes one for each chunk (none for
/// no items), and `f` may reuse it from one item to the next (buffers, requests to fill in).
pub fn map_chunks_with<T: Sync, S, R: Send>(
    items: &[T],
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R> {
    if items.is_empty() {
        return Vec::new();
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if threads < 2 || items.len() < 16 {
        let mut scratch = init();
        return items.iter().map(|item| f(&mut scratch, item)).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let (f, init) = (&f, &init);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    let mut scratch = init();
                    part.iter()
                        .map(|item| f(&mut scratch, item))
                        .collect::<Vec<R>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// Drops `value` on a thread of its own, beside the caller: freeing a large tree of small
/// allocations takes a while and nothing waits for it. When no thread can be started, it
/// is dropped right here.
pub fn drop_beside<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new().spawn(move || drop(value));
}

#[cfg(test)]
mod tests {
    #[test]
    fn order_is_kept() {
        let items: Vec<u32> = (0..1000).collect();
        let out = super::map_chunks(&items, |x| x * 2);
        assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
    }

    #[test]
    fn each_chunk_has_its_own_scratch_and_order_is_kept() {
        let items: Vec<u32> = (0..1000).collect();
        // The scratch counts the items its chunk saw: never more than all of them.
        let out = super::map_chunks_with(
            &items,
            || 0u32,
            |seen, x| {
                *seen += 1;
                (*x, *seen)
            },
        );
        assert_eq!(out.iter().map(|(x, _)| *x).collect::<Vec<_>>(), items);
        assert!(out.iter().all(|(x, seen)| *seen >= 1 && *seen <= *x + 1));
        assert_eq!(out[0].1, 1);
    }
}
