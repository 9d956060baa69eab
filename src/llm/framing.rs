//! Splitting a streamed body into frames: server-sent events (OpenAI, Anthropic) and
//! newline-delimited JSON (Ollama). Bytes arrive in arbitrary pieces; frames may span them.

/// One server-sent event: its `event:` name (if any) and its joined `data:` lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SseEvent {
    pub event: Option<String>,
    pub data: String,
}

/// Complete lines out of arbitrary byte pieces; a line is only decoded once it is whole, so a
/// multi-byte character split across pieces is fine.
#[derive(Debug, Default)]
pub(crate) struct LineDecoder {
    pending: Vec<u8>,
}

impl LineDecoder {
    /// Every line completed by `bytes`, without its `\n` or `\r\n`.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<Vec<String>, String> {
        self.pending.extend_from_slice(bytes);
        let mut lines = Vec::new();
        while let Some(i) = self.pending.iter().position(|b| *b == b'\n') {
            let rest = self.pending.split_off(i + 1);
            let mut line = std::mem::replace(&mut self.pending, rest);
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            lines.push(decode(line)?);
        }
        Ok(lines)
    }

    /// What is left after the body ended: a last line without a newline, if any.
    pub fn finish(&mut self) -> Result<Option<String>, String> {
        let rest = std::mem::take(&mut self.pending);
        if rest.iter().all(u8::is_ascii_whitespace) {
            Ok(None)
        } else {
            decode(rest).map(Some)
        }
    }
}

fn decode(line: Vec<u8>) -> Result<String, String> {
    String::from_utf8(line).map_err(|_| "the stream is not valid UTF-8".to_string())
}

/// Server-sent events as the WHATWG spec frames them: `field: value` lines, blank line ends an
/// event, `:` lines are comments.
#[derive(Debug, Default)]
pub(crate) struct SseDecoder {
    lines: LineDecoder,
    event: Option<String>,
    data: Vec<String>,
}

impl SseDecoder {
    pub fn feed(&mut self, bytes: &[u8]) -> Result<Vec<SseEvent>, String> {
        let mut out = Vec::new();
        for line in self.lines.feed(bytes)? {
            self.line(&line, &mut out);
        }
        Ok(out)
    }

    /// The event still open when the body ended, dispatched leniently: a missing terminal
    /// event is what marks a cut stream, not a missing blank line.
    pub fn finish(&mut self) -> Result<Vec<SseEvent>, String> {
        let mut out = Vec::new();
        if let Some(line) = self.lines.finish()? {
            self.line(&line, &mut out);
        }
        self.dispatch(&mut out);
        Ok(out)
    }

    fn line(&mut self, line: &str, out: &mut Vec<SseEvent>) {
        if line.is_empty() {
            self.dispatch(out);
            return;
        }
        if line.starts_with(':') {
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "event" => self.event = Some(value.to_string()),
            "data" => self.data.push(value.to_string()),
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut Vec<SseEvent>) {
        let event = self.event.take();
        if self.data.is_empty() {
            return;
        }
        out.push(SseEvent {
            event,
            data: std::mem::take(&mut self.data).join("\n"),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sse_events_split_across_pieces_and_crlf() {
        let mut d = SseDecoder::default();
        let mut got = d.feed(b"event: message_start\r\ndata: {\"a\"").unwrap();
        assert!(got.is_empty());
        got.extend(
            d.feed(b":1}\r\n\r\n: keep-alive\n\ndata: x\ndata: y\n\n")
                .unwrap(),
        );
        assert_eq!(
            got,
            vec![
                SseEvent {
                    event: Some("message_start".into()),
                    data: "{\"a\":1}".into()
                },
                SseEvent {
                    event: None,
                    data: "x\ny".into()
                },
            ]
        );
    }

    #[test]
    fn sse_last_event_without_blank_line_is_kept() {
        let mut d = SseDecoder::default();
        assert!(d.feed(b"data: [DONE]").unwrap().is_empty());
        assert_eq!(d.finish().unwrap()[0].data, "[DONE]");
    }

    #[test]
    fn lines_keep_multibyte_characters_split_between_pieces() {
        let mut d = LineDecoder::default();
        let text = "{\"c\":\"é\"}\n".as_bytes();
        assert!(d.feed(&text[..8]).unwrap().is_empty());
        assert_eq!(
            d.feed(&text[8..]).unwrap(),
            vec!["{\"c\":\"é\"}".to_string()]
        );
        assert_eq!(d.finish().unwrap(), None);
        d.feed(b"{\"done\":true}").unwrap();
        assert_eq!(d.finish().unwrap().as_deref(), Some("{\"done\":true}"));
    }

    #[test]
    fn invalid_utf8_is_an_error() {
        let mut d = LineDecoder::default();
        assert!(d.feed(b"\xff\xfe\n").is_err());
    }
}
