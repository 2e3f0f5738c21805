//! Reports written as they are rendered: the diagnostics are rendered in pieces on all cores
//! and written in order, a batch of pieces at a time, so that the memory held is one batch
//! whatever the number of diagnostics (a one-line plan can have tens of thousands).

use std::io;
use std::ops::Range;

/// Diagnostics rendered per piece, and pieces per batch: small enough pieces that a report of
/// a few thousand findings is shared between cores ([`crate::parallel::map`] keeps fewer
/// than 16 items on one thread).
pub const PIECE: usize = 32;
const BATCH: usize = 128 * PIECE;

/// Renders the diagnostics `0..len` with `render`, one range of at most [`PIECE`] of them
/// at a time (a batch of ranges on all cores), and hands the pieces to `write` in order.
pub fn write(
    len: usize,
    render: impl Fn(Range<usize>) -> io::Result<String> + Sync,
    mut write: impl FnMut(&str) -> io::Result<()>,
) -> io::Result<()> {
    for batch in (0..len).step_by(BATCH) {
        let pieces: Vec<Range<usize>> = (batch..len.min(batch + BATCH))
            .step_by(PIECE)
            .map(|start| start..len.min(start + PIECE))
            .collect();
        for piece in crate::parallel::map(&pieces, |range| render(range.clone())) {
            write(&piece?)?;
        }
    }
    Ok(())
}

/// The text a report's `write` function writes (to memory, where writing fails only on a
/// serializer error, which typed structs do not raise).
pub fn to_string(write: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
    let mut out = Vec::new();
    let _ = write(&mut out);
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn pieces_cover_every_diagnostic_once_in_order() {
        for len in [0, 1, super::PIECE, super::BATCH + super::PIECE + 7] {
            let mut seen = Vec::new();
            super::write(
                len,
                |range| Ok(range.map(|i| format!("{i},")).collect()),
                |piece| {
                    seen.push(piece.to_string());
                    Ok(())
                },
            )
            .unwrap();
            let expected: String = (0..len).map(|i| format!("{i},")).collect();
            assert_eq!(seen.concat(), expected, "{len}");
            assert!(seen.iter().all(|p| p.matches(',').count() <= super::PIECE));
        }
    }
}
