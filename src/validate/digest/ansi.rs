//! Terminal clean-up: escape sequences removed and carriage-return overwrites resolved, as a
//! terminal would have shown the text.

const ESC: char = '\u{1b}';
const BEL: char = '\u{7}';
/// The one-character (8-bit) form of `ESC [`.
const CSI_8BIT: char = '\u{9b}';

/// `raw` without CSI/OSC/other escape sequences and control characters; a bare `\r` keeps only
/// what was written after it on that line, `\r\n` is a newline, a backspace erases.
pub fn clean(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut line_start = 0;
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ESC => match chars.next() {
                Some('[') => skip_csi(&mut chars),
                Some(']' | 'P' | 'X' | '^' | '_') => skip_string(&mut chars),
                // Character-set and similar selections take one more byte (`ESC ( B`).
                Some('\u{20}'..='\u{2f}') => {
                    chars.next();
                }
                _ => {}
            },
            CSI_8BIT => skip_csi(&mut chars),
            '\n' => {
                out.push('\n');
                line_start = out.len();
            }
            '\r' => {
                while chars.peek() == Some(&'\r') {
                    chars.next();
                }
                // A carriage return ending the line is just a line ending; one in the middle
                // means the rest of the line is painted over what came before.
                if !matches!(chars.peek(), Some('\n') | None) {
                    out.truncate(line_start);
                }
            }
            '\u{8}' => {
                if out.len() > line_start {
                    out.pop();
                }
            }
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Skips the rest of a control sequence: parameters and intermediates, then one final byte.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(&c) = chars.peek() {
        match c {
            '\u{20}'..='\u{3f}' => {
                chars.next();
            }
            '\u{40}'..='\u{7e}' => {
                chars.next();
                return;
            }
            // Malformed: leave the character for the caller rather than swallow text.
            _ => return,
        }
    }
}

/// Skips an OSC/DCS-style string up to BEL or `ESC \`; a newline ends a malformed one.
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(&c) = chars.peek() {
        match c {
            BEL => {
                chars.next();
                return;
            }
            ESC => {
                chars.next();
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            '\n' => return,
            _ => {
                chars.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn strips_colour_and_cursor_sequences() {
        let raw = "\u{1b}[1m\u{1b}[91merror\u{1b}[0m: bad\u{1b}[2K\u{1b}[1G done\n";
        assert_eq!(clean(raw), "error: bad done\n");
    }

    #[test]
    fn strips_osc_hyperlinks_with_either_terminator() {
        let raw = "see \u{1b}]8;;https://x.test\u{7}link\u{1b}]8;;\u{1b}\\ here";
        assert_eq!(clean(raw), "see link here");
    }

    #[test]
    fn carriage_return_keeps_the_last_paint_of_a_line() {
        let raw = "Building [==>   ] 10%\rBuilding [=====>] 90%\rerror: boom\nnext\r\nlast\r";
        assert_eq!(clean(raw), "error: boom\nnext\nlast");
    }

    #[test]
    fn backspace_erases_and_other_controls_vanish() {
        assert_eq!(clean("ab\u{8}c\u{0}\u{7}d\te"), "acd\te");
    }

    #[test]
    fn truncated_sequences_at_the_end_do_not_panic() {
        assert_eq!(clean("x\u{1b}"), "x");
        assert_eq!(clean("x\u{1b}["), "x");
        assert_eq!(clean("x\u{1b}]unterminated"), "x");
        assert_eq!(clean("x\u{9b}31"), "x");
    }
}
