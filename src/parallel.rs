//! Data parallelism without a thread-pool dependency: up to one scoped thread per core, each
//! taking the next item not yet taken, and the results kept in the input order.

use std::sync::atomic::{AtomicUsize, Ordering};

/// [`map`], taking the items in decreasing `cost` (the longest first, so that no long one
/// is left to one thread at the end while the others wait); the results still come back
/// in the order of `items`.
pub fn map_longest_first<T: Sync, R: Send>(
    items: &[T],
    cost: impl Fn(&T) -> usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(cost(&items[i])));
    let mut results: Vec<(usize, R)> = map(&order, |&i| (i, f(&items[i])));
    results.sort_unstable_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// Maps `items` with `f` on up to one thread per core (at most 8), the calling thread one of
/// them (its memory, freed by one step of a run, is then reused by the next, where a thread
/// started for each step would leave it behind); small inputs stay on the calling thread.
/// Results come back in the order of `items`; a panic in `f` is resumed on the calling
/// thread.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if items.len() < 16 {
        return items.iter().map(&f).collect();
    }
    map_with(items, std::thread::Builder::new, true, f)
}

/// Maps `items` with `f` on up to one thread per core (at most 8, at least one), each made by
/// `thread` (for a larger stack, say). Each thread takes the next item not yet taken, so that slow
/// items never leave a core idle while a fixed share waits on another. Results come back in
/// the order of `items`; a panic in `f` is resumed on the calling thread. When no thread can
/// be started, the calling thread maps what is left.
pub fn map_on<T: Sync, R: Send>(
    items: &[T],
    thread: impl Fn() -> std::thread::Builder,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    map_with(items, thread, false, f)
}

/// [`map_on`], the calling thread taking items too when `caller_works` (then one thread
/// fewer is started).
fn map_with<T: Sync, R: Send>(
    items: &[T],
    thread: impl Fn() -> std::thread::Builder,
    caller_works: bool,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8)
        .min(items.len());
    if threads == 0 {
        return Vec::new();
    }
    let next = AtomicUsize::new(0);
    // Each worker's results, with the index of each.
    let take_items = || {
        let mut done: Vec<(usize, R)> = Vec::new();
        loop {
            let at = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(at) else {
                return done;
            };
            done.push((at, f(item)));
        }
    };
    let parts: Vec<Vec<(usize, R)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (usize::from(caller_works)..threads)
            .filter_map(|_| thread().spawn_scoped(scope, take_items).ok())
            .collect();
        // Without any thread, this one does the work (it may lack the stack `thread` gives).
        let mine = if caller_works || handles.is_empty() {
            take_items()
        } else {
            Vec::new()
        };
        let mut parts: Vec<Vec<(usize, R)>> = handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect();
        parts.push(mine);
        parts
    });
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    for (at, result) in parts.into_iter().flatten() {
        slots[at] = Some(result);
    }
    // Every index below the length was taken exactly once.
    slots.into_iter().flatten().collect()
}

/// What gives the memory freed so far back to the system ([`give_back`]), if anything.
static GIVE_BACK: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

/// Sets what [`give_back`] calls: the program's allocator, asked to return the memory it
/// holds freed (an allocator that keeps freed memory for a while, to hand it out again
/// quickly, would otherwise hold what one step of a run freed beside what the next step
/// builds). Only the first call counts.
pub fn on_give_back(give_back: fn()) {
    let _ = GIVE_BACK.set(give_back);
}

/// Asks the allocator to give back the memory freed so far ([`on_give_back`]); called
/// where a step of the run has freed much of what it built (a large plan's text once its
/// entries are read, its entries once they are resources). Does nothing unless set.
pub fn give_back() {
    if let Some(give_back) = GIVE_BACK.get() {
        give_back();
    }
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
    fn uneven_items_are_shared_and_come_back_in_order() {
        // The first items are slow: with fixed shares one thread would get all of them.
        let items: Vec<u64> = (0..64).collect();
        let out = super::map_on(&items, std::thread::Builder::new, |&x| {
            if x < 8 {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            (x * 3, std::thread::current().id())
        });
        assert_eq!(
            out.iter().map(|(x, _)| *x).collect::<Vec<_>>(),
            items.iter().map(|x| x * 3).collect::<Vec<_>>()
        );
        if std::thread::available_parallelism().map_or(1, |n| n.get()) > 1 {
            let slow: std::collections::HashSet<_> = out[..8].iter().map(|(_, t)| *t).collect();
            assert!(slow.len() > 1, "the slow items all went to one thread");
        }
    }

    #[test]
    fn the_calling_thread_maps_items_too() {
        let items: Vec<u64> = (0..64).collect();
        let caller = std::thread::current().id();
        let out = super::map(&items, |&x| {
            if x < 8 {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            (x + 1, std::thread::current().id())
        });
        assert_eq!(
            out.iter().map(|(x, _)| *x).collect::<Vec<_>>(),
            items.iter().map(|x| x + 1).collect::<Vec<_>>()
        );
        assert!(
            out.iter().any(|(_, t)| *t == caller),
            "the caller took none"
        );
        let threads: std::collections::HashSet<_> = out.iter().map(|(_, t)| *t).collect();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(threads.len() > 1, cores > 1, "{threads:?}");
    }

    #[test]
    fn the_longest_items_are_taken_first_and_come_back_in_order() {
        let items: Vec<usize> = (0..40).map(|i| (i * 7) % 40).collect();
        let taken = std::sync::Mutex::new(Vec::new());
        let out = super::map_longest_first(
            &items,
            |&x| x,
            |&x| {
                taken.lock().unwrap().push(x);
                x * 2
            },
        );
        assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        // The first taken are among the longest (each thread starts on one of them).
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        let taken = taken.into_inner().unwrap();
        assert!(
            taken[..2].iter().all(|&x| x + threads + 2 >= 40),
            "{taken:?}"
        );
        assert_eq!(taken.len(), items.len());
    }

    #[test]
    fn give_back_calls_what_was_set_once() {
        static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        fn count() {
            CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        super::on_give_back(count);
        super::on_give_back(|| panic!("a second setting counts"));
        super::give_back();
        super::give_back();
        // Other tests' scans, running beside this one, may call it too.
        assert!(CALLS.load(std::sync::atomic::Ordering::Relaxed) >= 2);
    }

    #[test]
    fn every_item_runs_on_a_thread_made_as_asked_even_one() {
        let named = || std::thread::Builder::new().name("deep".into());
        for n in [1usize, 3, 40] {
            let items: Vec<usize> = (0..n).collect();
            let names = super::map_on(&items, named, |_| {
                std::thread::current().name().map(str::to_string)
            });
            assert_eq!(names.len(), n);
            assert!(
                names.iter().all(|t| t.as_deref() == Some("deep")),
                "{names:?}"
            );
        }
        assert!(super::map_on(&[] as &[u8], named, |_| ()).is_empty());
    }

    #[test]
    fn a_panic_reaches_the_caller() {
        let items: Vec<u32> = (0..40).collect();
        let caught = std::panic::catch_unwind(|| {
            super::map(&items, |&x| {
                if x == 17 {
                    panic!("item 17");
                }
                x
            })
        });
        assert!(caught.is_err());
    }

    #[test]
    fn order_is_kept() {
        let items: Vec<u32> = (0..1000).collect();
        let out = super::map(&items, |x| x * 2);
        assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
    }
}
