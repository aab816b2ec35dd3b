//! Splitting a byte stream into lines without ever buffering more than
//! `max` bytes of one line, and keeping a partial last line until its
//! newline arrives (a followed file or a pipe may stop mid-line).

use std::io::{self, Read};

pub enum Next<'a> {
    /// Borrowed from the reader's buffer until the next call.
    Line(&'a [u8]),
    /// A line longer than the limit, dropped as it streamed past.
    TooLong(u64),
    Eof,
}

pub struct LineReader<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    partial: Vec<u8>,
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
            buf: vec![0; 256 * 1024].into_boxed_slice(),
            pos: 0,
            len: 0,
            partial: Vec::new(),
            partial_taken: false,
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
                Next::Line(l) => out.push(String::from_utf8_lossy(l).into_owned()),
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
    }
}
