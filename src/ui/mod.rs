//! Consumers of engine events: progress on a terminal, plain lines, and the `--json` stream.
