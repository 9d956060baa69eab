//! Lines of note from the part of a validator's output that capture drops: the head and tail
//! are kept whole, and every line of the middle passes through here on its way out, so a
//! failure's location in the middle of a huge log survives in bounded memory.
//!
//! A line is of note when it names a place (`file.ext:LINE`) or starts like a failure
//! (`E `, `FAILED`, `error`, `panicked`, `not ok`, ...). Lines are grouped by shape (digits and
//! quoted text blanked): the first few distinct lines of each shape are kept, so 3,000
//! `test_x.py:12: AssertionError` lines keep one copy and leave room for the one
//! `test_x.py:7: AssertionError` among them.

use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

/// Distinct lines kept per shape.
const PER_SHAPE: usize = 3;
/// Shapes kept; later new shapes are counted, not kept.
const MAX_SHAPES: usize = 200;
/// Longest line looked at; the rest of a longer line is skipped.
const MAX_LINE_BYTES: usize = 2048;
/// Longest line kept.
const KEPT_LINE_BYTES: usize = 300;

static OF_NOTE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        // ASCII classes (`-u`): Unicode-aware \w and \b make every line several times dearer.
        r"(?x-u)
        [\w./-]+\.[A-Za-z]\w*:\d+            # a location: path.ext:LINE
        | ^\s*(?:E\s|FAILED\b|FAIL\b|ERROR\b|[Ee]rror\b|error\[|panicked\b|thread\s'[ -&(-~]*'\spanicked
              |not\sok\b|---\sFAIL|Traceback\b|AssertionError\b|\w+Error:)",
    )
    .ok()
});

/// Collects lines of note from bytes fed in output order, in constant memory.
#[derive(Debug, Default)]
pub struct LinesOfNote {
    partial: Vec<u8>,
    /// The current line is longer than MAX_LINE_BYTES: skip to its end.
    skipping: bool,
    kept: Vec<String>,
    /// Per shape, the indexes in `kept` of its lines.
    shapes: HashMap<String, Vec<usize>>,
    /// The last line considered: logs repeat lines back to back, and those cost nothing.
    last: Vec<u8>,
}

impl LinesOfNote {
    /// The first bytes to come continue a line that started elsewhere (in the kept head):
    /// skip that fragment.
    pub fn starting_mid_line() -> Self {
        LinesOfNote {
            skipping: true,
            ..LinesOfNote::default()
        }
    }

    pub fn push(&mut self, mut bytes: &[u8]) {
        while let Some(nl) = bytes.iter().position(|&b| b == b'\n') {
            if !self.skipping {
                self.extend(&bytes[..nl]);
                if self.partial != self.last {
                    let line = std::mem::take(&mut self.partial);
                    self.consider(&String::from_utf8_lossy(&line));
                    self.last = line;
                }
            }
            self.partial.clear();
            self.skipping = false;
            bytes = &bytes[nl + 1..];
        }
        if !self.skipping {
            self.extend(bytes);
        }
    }

    fn extend(&mut self, bytes: &[u8]) {
        let room = MAX_LINE_BYTES.saturating_sub(self.partial.len());
        self.partial
            .extend_from_slice(&bytes[..bytes.len().min(room)]);
        if bytes.len() > room {
            self.skipping = true;
        }
    }

    fn consider(&mut self, raw: &str) {
        let cleaned;
        let line = if raw.contains('\u{1b}') {
            cleaned = crate::validate::digest::clean_line(raw);
            cleaned.trim_end()
        } else {
            raw.trim_end()
        };
        if !OF_NOTE.as_ref().is_some_and(|re| re.is_match(line)) {
            return;
        }
        let line = clip(line);
        let shape = crate::validate::digest::shape(&line);
        let known = self.shapes.len();
        let kept = &mut self.kept;
        let same = match self.shapes.get_mut(&shape) {
            Some(same) => same,
            None if known < MAX_SHAPES => self.shapes.entry(shape).or_default(),
            None => return,
        };
        if same.len() < PER_SHAPE && !same.iter().any(|&i| kept[i] == line) {
            same.push(kept.len());
            kept.push(line);
        }
    }

    /// The kept lines in output order. A line still open at the end continues into the tail,
    /// which keeps it whole, so it is not considered here.
    pub fn finish(self) -> Vec<String> {
        self.kept
    }
}

fn clip(line: &str) -> String {
    if line.len() <= KEPT_LINE_BYTES {
        return line.to_string();
    }
    let mut end = KEPT_LINE_BYTES;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &line[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_fold_and_a_rare_location_survives() {
        let mut n = LinesOfNote::default();
        for i in 0..3000 {
            n.push(format!("_____ test_a[{i}] _____\n\nn = {i}\n>       assert n < 0\nE       assert {i} < 0\n\ntest_many.py:4: AssertionError\n").as_bytes());
            if i == 1500 {
                n.push(b"E       assert 1 == 2\n\ntest_many.py:7: AssertionError\n");
            }
        }
        let kept = n.finish();
        assert!(
            kept.contains(&"test_many.py:7: AssertionError".to_string()),
            "{kept:?}"
        );
        assert_eq!(
            kept.iter().filter(|l| l.contains("test_many.py:4")).count(),
            1
        );
        assert!(kept.len() <= 6, "{kept:?}");
    }

    #[test]
    fn lines_split_across_pushes_and_overlong_lines_are_handled() {
        let mut n = LinesOfNote::default();
        n.push(b"src/a.rs:1");
        n.push(b"2: error: boom\nplain words\n");
        n.push(&vec![b'x'; 10_000]);
        n.push(
            b" src/b.rs:3: hidden in a huge line\nsrc/c.rs:4: e\x1b[31mrr\x1b[0m\nopen src/d.rs:5",
        );
        assert_eq!(
            n.finish(),
            vec!["src/a.rs:12: error: boom", "src/c.rs:4: err"]
        );
    }
}
