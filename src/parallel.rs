//! Data parallelism without a thread-pool dependency: split a slice into one chunk per core,
//! map each chunk on a scoped thread, and keep the input order.

/// Maps `items` with `f` on up to one thread per core (at most 8); small inputs stay on the
/// calling thread. Results come back in the order of `items`.
pub fn map_chunks<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if threads < 2 || items.len() < 16 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
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

/// Whether the process ends after this run ([`exit_follows`]).
static EXIT_FOLLOWS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Tells the library that the process ends once this run is reported (the command line's
/// one-shot check): from now on, [`release`] leaves what it is given to the operating
/// system, which takes a process's memory back at once, instead of freeing each allocation.
/// Never call it in a process that goes on to other work: that memory is not reused.
pub fn exit_follows() {
    EXIT_FOLLOWS.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Lets go of `value`, which the run is done with: once [`exit_follows`] was called it is
/// never freed (freeing a large tree of small allocations costs CPU time the rest of the run
/// could use), else it is dropped beside the caller ([`drop_beside`]). Where the memory is
/// wanted back for the rest of the run, call [`drop_beside`] itself.
pub fn release<T: Send + 'static>(value: T) {
    if EXIT_FOLLOWS.load(std::sync::atomic::Ordering::Relaxed) {
        std::mem::forget(value);
    } else {
        drop_beside(value);
    }
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
}
