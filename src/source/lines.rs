//! Splitting a byte stream into lines without ever buffering more than
//! `max` bytes of one line, and keeping a partial last line until its
//! newline arrives (a followed file or a pipe may stop mid-line).
//!
//! The complete lines of each read are checked as UTF-8 at once and the
//! read buffer becomes a `String` they are handed out from as text (its
//! storage and the last text's swap places): checking ~90-byte lines one by
//! one cost ~10% of the reading thread. Reads that hold invalid UTF-8 have
//! their valid lines copied, and the rest handed out line by line as bytes.

use std::io::{self, Read};

pub enum Next<'a> {
    /// Borrowed from the reader's buffer until the next call.
    Line(&'a [u8]),
    /// A line known to be UTF-8, borrowed until the next call.
    Text(&'a str),
    /// A line longer than the limit, dropped as it streamed past.
    TooLong(u64),
    Eof,
}

/// Bytes read at a time.
const READ: usize = 256 * 1024;

pub struct LineReader<R> {
    inner: R,
    /// `READ` bytes long; `pos..len` not handed out yet.
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    partial: Vec<u8>,
    /// Whole lines, newlines included, already checked as UTF-8; handed
    /// out from `text_pos` before anything else is read.
    text: String,
    text_pos: usize,
    /// This read held a line that is not UTF-8: its text is copied.
    not_utf8: bool,
    /// `partial` was handed out as a line and is emptied on the next call.
    partial_taken: bool,
    overflow: Option<u64>,
    max: usize,
    /// Bytes read from `inner` so far (to notice a truncated file).
    pub consumed: u64,
}

impl<R: Read> LineReader<R> {
    pub fn new(inner: R, max: usize) -> LineReader<R> {
        LineReader {
            inner,
            buf: vec![0; READ],
            pos: 0,
            len: 0,
            partial: Vec::new(),
            text: String::new(),
            text_pos: 0,
            partial_taken: false,
            not_utf8: false,
            overflow: None,
            max,
            consumed: 0,
        }
    }

    pub fn next_line(&mut self) -> io::Result<Next<'_>> {
        self.next_line_or(|| {})
    }

    /// Like `next_line`, calling `before_read` before every read of `inner`,
    /// which may block: a live pipe can pause for minutes, and what was
    /// decoded before the pause must not wait for it.
    pub fn next_line_or(&mut self, mut before_read: impl FnMut()) -> io::Result<Next<'_>> {
        self.release_partial();
        loop {
            let start = self.text_pos;
            if let Some(i) = self
                .text
                .get(start..)
                .and_then(|rest| memchr::memchr(b'\n', rest.as_bytes()))
            {
                self.text_pos += i + 1;
                if i > self.max {
                    return Ok(Next::TooLong(i as u64));
                }
                // a newline is always a character boundary
                return Ok(Next::Text(self.text.get(start..start + i).unwrap_or("")));
            }
            if self.pos == self.len {
                before_read();
                let n = match self.inner.read(&mut self.buf) {
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                };
                if n == 0 {
                    return Ok(Next::Eof);
                }
                self.consumed += n as u64;
                self.pos = 0;
                self.len = n;
                self.not_utf8 = false;
            }
            if self.partial.is_empty() && self.overflow.is_none() && self.take_text() {
                continue;
            }
            let chunk = &self.buf[self.pos..self.len];
            match memchr::memchr(b'\n', chunk) {
                Some(i) => {
                    self.pos += i + 1;
                    if let Some(seen) = self.overflow.take() {
                        return Ok(Next::TooLong(seen + i as u64));
                    }
                    if self.partial.is_empty() {
                        if i > self.max {
                            return Ok(Next::TooLong(i as u64));
                        }
                        return Ok(Next::Line(&self.buf[self.pos - i - 1..self.pos - 1]));
                    }
                    self.partial.extend_from_slice(&chunk[..i]);
                    if self.partial.len() > self.max {
                        let n = self.partial.len() as u64;
                        self.partial.clear();
                        return Ok(Next::TooLong(n));
                    }
                    self.partial_taken = true;
                    return Ok(Next::Line(&self.partial));
                }
                None => {
                    let n = chunk.len();
                    match &mut self.overflow {
                        Some(seen) => *seen += n as u64,
                        None => {
                            self.partial.extend_from_slice(chunk);
                            if self.partial.len() > self.max {
                                self.overflow = Some(self.partial.len() as u64);
                                self.partial = Vec::new();
                            }
                        }
                    }
                    self.pos = self.len;
                }
            }
        }
    }

    /// Moves the whole lines at the start of the buffer that are UTF-8
    /// into `text`; false if there are none (the next line is incomplete
    /// or not UTF-8, and goes out as bytes).
    fn take_text(&mut self) -> bool {
        let chunk = &self.buf[self.pos..self.len];
        let Some(last) = memchr::memrchr(b'\n', chunk) else {
            return false;
        };
        let end = self.pos + last + 1;
        if !self.not_utf8 && self.swap_text(end) {
            return true;
        }
        // once per read: a swap costs a pass over the read
        self.not_utf8 = true;
        self.copy_text(end)
    }

    /// The buffer itself becomes `text` (no copy of the read: the copy was
    /// ~2% of the instructions on NDJSON), the old text's storage the next
    /// buffer, the incomplete last line moving to its start. False, with
    /// nothing changed, if the lines are not all UTF-8.
    fn swap_text(&mut self, end: usize) -> bool {
        // bytes already handed out: made ASCII so the whole can be a String
        self.buf[..self.pos].fill(b'\n');
        let mut next = std::mem::take(&mut self.text).into_bytes();
        next.resize(READ, 0);
        let tail = self.len - end;
        next[..tail].copy_from_slice(&self.buf[end..self.len]);
        let mut lines = std::mem::replace(&mut self.buf, next);
        lines.truncate(end);
        // simdutf8 checks ~16 bytes an instruction, std's check ~1.5 a byte
        // on names in other scripts (callgrind, bench CSV: 127 instructions
        // a line, ~5% of the reading thread)
        if simdutf8::basic::from_utf8(&lines).is_ok() {
            // SAFETY: simdutf8 has just found all of `lines` to be UTF-8.
            self.text = unsafe { String::from_utf8_unchecked(lines) };
            self.text_pos = self.pos;
            self.pos = 0;
            self.len = tail;
            true
        } else {
            // put the read back as it was
            let mut bytes = lines;
            bytes.extend_from_slice(&self.buf[..tail]);
            bytes.resize(READ, 0);
            self.buf = bytes;
            self.text_pos = 0;
            false
        }
    }

    /// The lines before the first that is not UTF-8, copied into `text`;
    /// each later line is checked once, when it is reached.
    fn copy_text(&mut self, end: usize) -> bool {
        let chunk = &self.buf[self.pos..end];
        let lines = match std::str::from_utf8(chunk) {
            Ok(lines) => lines,
            Err(e) => {
                let good = memchr::memrchr(b'\n', &chunk[..e.valid_up_to()]).map_or(0, |i| i + 1);
                match std::str::from_utf8(&chunk[..good]) {
                    Ok(lines) if !lines.is_empty() => lines,
                    _ => return false,
                }
            }
        };
        self.text.clear();
        self.text.push_str(lines);
        self.text_pos = 0;
        self.pos += lines.len();
        true
    }

    /// The unterminated last line, once the input is known to be complete.
    pub fn take_partial(&mut self) -> Option<Next<'_>> {
        self.release_partial();
        if let Some(seen) = self.overflow.take() {
            return Some(Next::TooLong(seen));
        }
        if self.partial.is_empty() {
            None
        } else {
            self.partial_taken = true;
            Some(Next::Line(&self.partial))
        }
    }

    fn release_partial(&mut self) {
        if self.partial_taken {
            self.partial.clear();
            self.partial_taken = false;
        }
    }

    /// Forget everything buffered (after the file was truncated and reopened).
    pub fn reset(&mut self, inner: R) {
        self.inner = inner;
        self.pos = 0;
        self.len = 0;
        self.partial.clear();
        self.partial_taken = false;
        self.text.clear();
        self.text_pos = 0;
        self.not_utf8 = false;
        self.overflow = None;
        self.consumed = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max: usize) -> Vec<String> {
        let mut r = LineReader::new(input, max);
        let mut out = Vec::new();
        loop {
            match r.next_line().unwrap() {
                Next::Line(l) => out.push(format!("<bytes {}>", String::from_utf8_lossy(l))),
                Next::Text(l) => out.push(l.to_string()),
                Next::TooLong(n) => out.push(format!("<too long {n}>")),
                Next::Eof => break,
            }
        }
        if let Some(Next::Line(l)) = r.take_partial() {
            out.push(format!("<partial {}>", String::from_utf8_lossy(l)));
        }
        out
    }

    #[test]
    fn splits_limits_and_holds_partial() {
        assert_eq!(lines(b"a\nbb\n\nccc", 10), ["a", "bb", "", "<partial ccc>"]);
        assert_eq!(
            lines(b"ok\n0123456789abc\nfine\n", 10),
            ["ok", "<too long 13>", "fine"]
        );
        // the lines around one that is not UTF-8 are still text
        assert_eq!(
            lines(b"a\xffb\nok\n\xe3\x81\x95\n\xe3\x81\n", 10),
            ["<bytes a\u{fffd}b>", "ok", "さ", "<bytes \u{fffd}>"]
        );
        assert_eq!(lines("é\nx\n".as_bytes(), 10), ["é", "x"]);
    }

    /// Reads of random sizes (lines split across reads, a read ending in
    /// the middle of a character), lines not UTF-8, over the limit, empty
    /// and unterminated: the lines of `split(b'\n')`, each over the limit
    /// reported with its length, and text exactly when a line is UTF-8
    /// and came whole in one read.
    #[test]
    fn any_reads_give_the_lines_of_the_input() {
        use proptest::prelude::*;
        struct Drip<'a> {
            data: &'a [u8],
            sizes: Vec<usize>,
            i: usize,
        }
        impl Read for Drip<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let want = self.sizes[self.i % self.sizes.len()];
                self.i += 1;
                let n = want.min(buf.len()).min(self.data.len());
                buf[..n].copy_from_slice(&self.data[..n]);
                self.data = &self.data[n..];
                Ok(n)
            }
        }
        let piece = prop_oneof![
            Just(b"\n".to_vec()),
            Just("é".as_bytes().to_vec()),
            Just(vec![0xff]),
            Just(vec![0xe3, 0x81]),
            proptest::collection::vec(b'a'..=b'z', 1..9),
        ];
        let input = proptest::collection::vec(piece, 0..120).prop_map(|p| p.concat());
        let sizes = proptest::collection::vec(1usize..40, 1..6);
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(2000));
        let result = runner.run(&(input, sizes, 1usize..30), |(input, sizes, max)| {
            let mut r = LineReader::new(
                Drip {
                    data: &input,
                    sizes: sizes.clone(),
                    i: 0,
                },
                max,
            );
            let mut got: Vec<(Vec<u8>, bool)> = Vec::new();
            loop {
                match r.next_line().unwrap() {
                    Next::Line(l) => got.push((l.to_vec(), false)),
                    Next::Text(l) => got.push((l.as_bytes().to_vec(), true)),
                    Next::TooLong(n) => got.push((format!("<{n}>").into_bytes(), false)),
                    Next::Eof => break,
                }
            }
            match r.take_partial() {
                Some(Next::Line(l)) => got.push((l.to_vec(), false)),
                Some(Next::TooLong(n)) => got.push((format!("<{n}>").into_bytes(), false)),
                _ => {}
            }
            let mut want: Vec<Vec<u8>> = input
                .split(|&b| b == b'\n')
                .map(|l| match l.len() > max {
                    true => format!("<{}>", l.len()).into_bytes(),
                    false => l.to_vec(),
                })
                .collect();
            if input.last().is_none_or(|&b| b == b'\n') {
                want.pop(); // nothing after the last newline
            }
            let lines: Vec<Vec<u8>> = got.iter().map(|(l, _)| l.clone()).collect();
            prop_assert_eq!(lines, want);
            for (line, text) in &got {
                if *text {
                    prop_assert!(std::str::from_utf8(line).is_ok());
                }
            }
            if sizes.iter().all(|&s| s >= 39) && max >= 29 {
                // whole reads of valid lines: at least some come as text
                let valid = got
                    .iter()
                    .filter(|(l, _)| std::str::from_utf8(l).is_ok())
                    .count();
                prop_assert!(valid < 4 || got.iter().any(|(_, t)| *t));
            }
            Ok(())
        });
        assert!(result.is_ok(), "{result:?}");
    }

    /// A whole read of valid lines goes out as text, with no line checked
    /// on its own.
    #[test]
    fn valid_reads_are_text() {
        let input = "ts,kind\n1,gift\nさくら,join\n\n".repeat(1000);
        let mut r = LineReader::new(input.as_bytes(), 100);
        let mut n = 0;
        loop {
            match r.next_line().unwrap() {
                Next::Text(_) => n += 1,
                Next::Eof => break,
                _ => panic!("a line of valid input came as bytes"),
            }
        }
        assert_eq!(n, 4000);
    }
}
