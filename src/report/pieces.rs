//! Reports written as they are rendered: the diagnostics are rendered in pieces on all cores
//! and written in order, a batch of pieces at a time, so that the memory held is one batch
//! whatever the number of diagnostics (a one-line plan can have tens of thousands).

use std::io;
use std::ops::Range;

/// The most diagnostics rendered per piece, and pieces per batch: a report of a few thousand
/// findings is shared between cores ([`crate::parallel::map`] keeps fewer than 16 items on one
/// thread), and the memory held is one batch.
pub const PIECE: usize = 32;
const PIECES_PER_BATCH: usize = 128;
/// The fewest diagnostics rendered per piece: a report of a few hundred findings (a few
/// microseconds each) is still shared between cores, in pieces worth a thread's start.
const SMALLEST_PIECE: usize = 4;
/// How many pieces a report is cut into when [`SMALLEST_PIECE`] and [`PIECE`] allow.
const PIECES_AIMED_AT: usize = 32;

/// Diagnostics per piece for a report of `len`: about [`PIECES_AIMED_AT`] pieces, so that
/// [`crate::parallel::map`] shares a report of a few hundred findings between cores, each
/// of [`SMALLEST_PIECE`] to [`PIECE`] diagnostics.
fn piece_len(len: usize) -> usize {
    (len / PIECES_AIMED_AT).clamp(SMALLEST_PIECE, PIECE)
}

/// Renders the diagnostics `0..len` with `render`, one range of `piece_len(len)` of them at a
/// time (a batch of ranges on all cores), and hands the pieces to `write` in order.
pub fn write(
    len: usize,
    render: impl Fn(Range<usize>) -> io::Result<String> + Sync,
    mut write: impl FnMut(&str) -> io::Result<()>,
) -> io::Result<()> {
    let size = piece_len(len);
    let batch_len = PIECES_PER_BATCH * size;
    for batch in (0..len).step_by(batch_len) {
        let pieces: Vec<Range<usize>> = (batch..len.min(batch + batch_len))
            .step_by(size)
            .map(|start| start..len.min(start + size))
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
        let batch = super::PIECES_PER_BATCH * super::PIECE;
        for len in [0, 1, 5, 300, super::PIECE, batch + super::PIECE + 7] {
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

    #[test]
    fn a_report_of_a_few_hundred_findings_is_rendered_in_enough_pieces_to_share() {
        // parallel::map keeps fewer than 16 items on the calling thread.
        assert!(300usize.div_ceil(super::piece_len(300)) >= 16);
        assert!(100usize.div_ceil(super::piece_len(100)) >= 16);
        assert_eq!(super::piece_len(40), super::SMALLEST_PIECE);
        assert_eq!(super::piece_len(1_000_000), super::PIECE);
    }
}
