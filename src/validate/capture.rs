//! Bounded capture of a validator's output: the first and last bytes, a count of all of them,
//! and the lines of note from the middle in between (see `noted`).

use super::noted::LinesOfNote;
use std::collections::VecDeque;

/// Bytes kept at each end of a validator's output.
pub const KEEP_BYTES: usize = 64 * 1024;

/// Output kept for one validator: first and last bytes, and how much there was in all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CapturedOutput {
    /// stdout and stderr interleaved as they arrived, lossily decoded.
    pub head: String,
    pub tail: String,
    pub total_bytes: u64,
    /// True when bytes between `head` and `tail` were dropped.
    pub truncated: bool,
    /// Lines of note from the dropped middle, in output order.
    pub noted: Vec<String>,
}

impl CapturedOutput {
    /// head + a `[... N bytes omitted ...]` marker + tail.
    pub fn text(&self) -> String {
        if !self.truncated {
            return format!("{}{}", self.head, self.tail);
        }
        format!(
            "{}\n[... {} bytes omitted ...]\n{}",
            self.head,
            self.omitted_bytes(),
            self.tail
        )
    }

    /// Bytes dropped between head and tail (exact for UTF-8 output; approximate after lossy
    /// decoding of binary output, whose replacement characters are wider than the bytes).
    pub fn omitted_bytes(&self) -> u64 {
        let kept = (self.head.len() + self.tail.len()) as u64;
        self.total_bytes.saturating_sub(kept)
    }

    /// The failure digest of this output, lines of note from its dropped middle included.
    pub fn digest(&self, cap_tokens: usize) -> String {
        super::digest_with_noted(&self.text(), &self.noted, cap_tokens)
    }

    /// Add a line from forge itself (not from the tool) after the tool's output.
    pub fn add_note(&mut self, note: &str) {
        let ends_clean = if self.tail.is_empty() {
            self.head.is_empty() || self.head.ends_with('\n')
        } else {
            self.tail.ends_with('\n')
        };
        if !ends_clean {
            self.tail.push('\n');
        }
        self.tail.push_str("[forge] ");
        self.tail.push_str(note);
        self.tail.push('\n');
    }
}

/// Collects output in constant memory, however much the tool prints.
#[derive(Debug)]
pub struct OutputCapture {
    limit: usize,
    head: Vec<u8>,
    tail: VecDeque<u8>,
    total: u64,
    /// What leaves the tail: None until the first byte does.
    middle: Option<LinesOfNote>,
}

impl Default for OutputCapture {
    fn default() -> Self {
        OutputCapture::new(KEEP_BYTES)
    }
}

impl OutputCapture {
    /// Keep at most `limit` bytes at each end.
    pub fn new(limit: usize) -> Self {
        OutputCapture {
            limit,
            head: Vec::new(),
            tail: VecDeque::new(),
            total: 0,
            middle: None,
        }
    }

    pub fn push(&mut self, mut bytes: &[u8]) {
        self.total += bytes.len() as u64;
        if self.head.len() < self.limit {
            let take = (self.limit - self.head.len()).min(bytes.len());
            self.head.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
        }
        if bytes.len() >= self.limit {
            let (a, b) = self.tail.as_slices();
            let leaving = bytes.len() - self.limit;
            let middle = self.middle.get_or_insert_with(|| start_middle(&self.head));
            middle.push(a);
            middle.push(b);
            middle.push(&bytes[..leaving]);
            self.tail.clear();
            self.tail.extend(&bytes[leaving..]);
        } else {
            let overflow = (self.tail.len() + bytes.len()).saturating_sub(self.limit);
            if overflow > 0 {
                let (a, b) = self.tail.as_slices();
                let from_a = overflow.min(a.len());
                let (a, b) = (&a[..from_a], &b[..overflow - from_a]);
                let middle = self.middle.get_or_insert_with(|| start_middle(&self.head));
                middle.push(a);
                middle.push(b);
            }
            self.tail.drain(..overflow);
            self.tail.extend(bytes);
        }
    }

    pub fn total_bytes(&self) -> u64 {
        self.total
    }

    pub fn finish(self) -> CapturedOutput {
        let kept = (self.head.len() + self.tail.len()) as u64;
        let truncated = self.total > kept;
        let mut head = self.head;
        let mut tail: Vec<u8> = self.tail.into();
        if !truncated {
            // Head and tail are contiguous: decode them as one so no character is split.
            head.append(&mut tail);
            return CapturedOutput {
                head: String::from_utf8_lossy(&head).into_owned(),
                tail: String::new(),
                total_bytes: self.total,
                truncated,
                noted: Vec::new(),
            };
        }
        let head_end = complete_prefix_len(&head);
        let tail_start = tail
            .iter()
            .take(3)
            .take_while(|b| is_continuation(**b))
            .count();
        CapturedOutput {
            head: String::from_utf8_lossy(&head[..head_end]).into_owned(),
            tail: String::from_utf8_lossy(&tail[tail_start..]).into_owned(),
            total_bytes: self.total,
            truncated,
            noted: self.middle.map(LinesOfNote::finish).unwrap_or_default(),
        }
    }
}

/// The middle starts right after the head: mid-line unless the head ended one.
fn start_middle(head: &[u8]) -> LinesOfNote {
    if head.last().is_none_or(|&b| b == b'\n') {
        LinesOfNote::default()
    } else {
        LinesOfNote::starting_mid_line()
    }
}

fn is_continuation(b: u8) -> bool {
    b & 0b1100_0000 == 0b1000_0000
}

/// Length of `bytes` without a UTF-8 character cut off at its end.
fn complete_prefix_len(bytes: &[u8]) -> usize {
    match std::str::from_utf8(bytes) {
        Err(e) if e.error_len().is_none() => e.valid_up_to(),
        _ => bytes.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_output_is_kept_whole() {
        let mut c = OutputCapture::new(8);
        c.push(b"hello ");
        c.push(b"world");
        let out = c.finish();
        assert!(!out.truncated);
        assert_eq!(out.text(), "hello world");
        assert_eq!(out.total_bytes, 11);
    }

    #[test]
    fn long_output_keeps_both_ends_and_counts_everything() {
        let mut c = OutputCapture::new(4);
        for chunk in [&b"abcdef"[..], b"ghij", b"klmnopqrstuvwxyz"] {
            c.push(chunk);
        }
        let out = c.finish();
        assert!(out.truncated);
        assert_eq!(out.head, "abcd");
        assert_eq!(out.tail, "wxyz");
        assert_eq!(out.total_bytes, 26);
        assert_eq!(out.text(), "abcd\n[... 18 bytes omitted ...]\nwxyz");
    }

    #[test]
    fn cut_characters_are_not_turned_into_garbage() {
        let mut c = OutputCapture::new(4);
        c.push("aaaé".as_bytes());
        c.push(&[b'x'; 10]);
        c.push("éééx".as_bytes());
        let out = c.finish();
        assert_eq!(out.head, "aaa");
        assert_eq!(out.tail, "éx");
    }

    #[test]
    fn notes_follow_the_output_on_their_own_line() {
        let mut c = OutputCapture::new(4);
        c.push(b"ok");
        let mut out = c.finish();
        out.add_note("junit report not found");
        assert_eq!(out.text(), "ok\n[forge] junit report not found\n");
    }
}
