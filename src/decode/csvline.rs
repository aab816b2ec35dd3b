//! CSV decoding line by line, so a followed file or a pipe can be decoded as
//! it arrives; a quoted field may span lines, so a record is held until its
//! quotes balance.

use super::canonical::push_record;
use super::fields::{FIELD_COUNT, Field, FieldMap, Fields, RawFields, trim};
use super::{Decoded, Item};
use csv_core::ReadRecordResult;
use std::borrow::Cow;

pub struct CsvState {
    map: FieldMap,
    rdr: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    header: Option<Vec<Option<Field>>>,
    /// Each field's column, when the header names every field at most
    /// once (plain lines are then read where they lie).
    columns: Option<[Option<usize>; FIELD_COUNT]>,
    pending: String,
    pending_line: u64,
    quotes: usize,
    /// `QuotedLine`'s buffers, kept from line to line.
    spans: Vec<Span>,
    unescaped: String,
}

impl CsvState {
    pub fn new(map: FieldMap) -> CsvState {
        CsvState {
            map,
            rdr: csv_core::Reader::new(),
            out: Vec::new(),
            ends: Vec::new(),
            header: None,
            columns: None,
            pending: String::new(),
            pending_line: 0,
            quotes: 0,
            spans: Vec::new(),
            unescaped: String::new(),
        }
    }

    pub fn in_record(&self) -> bool {
        !self.pending.is_empty()
    }

    pub fn push_line(&mut self, line: &str, line_no: u64, out: &mut Vec<Item>) {
        if self.pending.is_empty() {
            // Most lines: no quotes and no carriage return, so the fields are
            // exactly the comma-separated pieces; no copy, no CSV state.
            let mut ends = std::mem::take(&mut self.ends);
            let plain = PlainLine::cut(line, &mut ends)
                .map(|plain| self.decode_plain(&plain, line_no, out))
                .is_some();
            self.ends = ends;
            if plain || self.decode_quoted_line(line, line_no, out) {
                return;
            }
        }
        if self.pending.is_empty() {
            self.pending_line = line_no;
        } else {
            self.pending.push('\n');
        }
        self.pending.push_str(line);
        self.quotes += memchr::memchr_iter(b'"', line.as_bytes()).count();
        if self.quotes % 2 == 1 {
            return; // a quoted field continues on the next line
        }
        let record = std::mem::take(&mut self.pending);
        self.quotes = 0;
        match self.split(&record) {
            Ok(()) => self.decode_quoted(self.pending_line, out),
            Err(e) => out.push(Item {
                line: self.pending_line,
                what: Decoded::Rejected(format!("bad CSV: {e}")),
            }),
        }
        // keep the allocation for the next quoted record
        self.pending = record;
        self.pending.clear();
    }

    pub fn finish(&mut self, out: &mut Vec<Item>) {
        if !self.pending.is_empty() {
            self.pending.clear();
            self.quotes = 0;
            out.push(Item {
                line: self.pending_line,
                what: Decoded::Rejected("unterminated quoted field at end of input".into()),
            });
        }
    }

    /// Split one complete record into `self.out` / `self.ends` with the
    /// reused csv-core reader (building a reader per line costs more than
    /// parsing the line).
    fn split(&mut self, record: &str) -> Result<(), String> {
        let mut input = record.as_bytes();
        self.out.clear();
        self.ends.clear();
        self.out.resize(record.len() + 1, 0);
        self.ends.resize(16, 0);
        let (mut nout, mut nend) = (0, 0);
        loop {
            let (res, nin, o, e) =
                self.rdr
                    .read_record(input, &mut self.out[nout..], &mut self.ends[nend..]);
            input = &input[nin..];
            nout += o;
            nend += e;
            match res {
                // The next call passes an empty slice, which tells the
                // reader the record is complete; it then answers Record/End.
                ReadRecordResult::InputEmpty => {
                    if nin == 0 && o == 0 && e == 0 {
                        break;
                    }
                }
                ReadRecordResult::OutputFull => {
                    let n = self.out.len();
                    self.out.resize(n * 2 + 16, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let n = self.ends.len();
                    self.ends.resize(n * 2, 0);
                }
                ReadRecordResult::Record | ReadRecordResult::End => break,
            }
        }
        self.ends.truncate(nend);
        self.rdr.reset();
        Ok(())
    }

    /// Field `i` of the quoted record `split` has cut into csv-core's
    /// output; `text`: all of that output, if it is UTF-8 (it is: csv-core
    /// only removes ASCII quotes from a record that was), checked once
    /// rather than field by field (~60 instructions a field).
    fn field<'s>(&'s self, text: Option<&'s str>, i: usize) -> Option<Cow<'s, str>> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        if let Some(field) = text.and_then(|t| t.get(start..end)) {
            return Some(Cow::Borrowed(field));
        }
        let bytes = self.out.get(start..end)?;
        Some(match std::str::from_utf8(bytes) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => String::from_utf8_lossy(bytes),
        })
    }

    /// A plain line: the header, or an event read where its fields lie.
    fn decode_plain(&mut self, plain: &PlainLine, line: u64, out: &mut Vec<Item>) {
        let pieces = (0..plain.len()).map(|i| plain.piece(i).map(Cow::Borrowed));
        if self.header.is_none() {
            let cols = self.header_fields(pieces);
            self.set_header(cols, line, out);
        } else if let Some(columns) = &self.columns {
            let fields = PlainFields { plain, columns };
            push_record(&fields, &self.map, line, out);
        } else {
            self.push_raw(pieces, line, out);
        }
    }

    /// A record on one line with quoted fields, once the header names each
    /// field at most once: cut here, without csv-core and without a copy
    /// of the record (~2,900 instructions more a line on the bench CSV,
    /// whose nicknames such as `"Omar, the great"` quote 8% of its lines).
    /// False, with nothing decoded, for what `QuotedLine::cut` leaves to
    /// the general path.
    fn decode_quoted_line(&mut self, line: &str, line_no: u64, out: &mut Vec<Item>) -> bool {
        let Some(columns) = &self.columns else {
            return false;
        };
        let (mut spans, mut unescaped) = (
            std::mem::take(&mut self.spans),
            std::mem::take(&mut self.unescaped),
        );
        let cut = QuotedLine::cut(line, &mut spans, &mut unescaped)
            .map(|quoted| push_record(&QuotedFields { quoted, columns }, &self.map, line_no, out))
            .is_some();
        (self.spans, self.unescaped) = (spans, unescaped);
        cut
    }

    /// A quoted record, cut by `split`: the header, or an event.
    fn decode_quoted(&mut self, line: u64, out: &mut Vec<Item>) {
        let len = self.ends.last().copied().unwrap_or(0);
        let text = self
            .out
            .get(..len)
            .and_then(|b| simdutf8::basic::from_utf8(b).ok());
        let fields = (0..self.ends.len()).map(|i| self.field(text, i));
        if self.header.is_none() {
            let cols = self.header_fields(fields);
            self.set_header(cols, line, out);
        } else {
            self.push_raw(fields, line, out);
        }
    }

    fn header_fields<'r>(
        &self,
        names: impl Iterator<Item = Option<Cow<'r, str>>>,
    ) -> Vec<Option<Field>> {
        names
            .map(|h| h.and_then(|h| self.map.field_for_header(&h)))
            .collect()
    }

    fn set_header(&mut self, cols: Vec<Option<Field>>, line: u64, out: &mut Vec<Item>) {
        let has = |f| cols.contains(&Some(f));
        let missing: Vec<&str> = [Field::Ts, Field::Kind]
            .into_iter()
            .filter(|&f| !(has(f) || (f == Field::Kind && self.map.constant_kind.is_some())))
            .map(|f| self.map.source_of(f))
            .collect();
        if !missing.is_empty() {
            out.push(Item {
                line,
                what: Decoded::Rejected(format!(
                    "CSV header lacks required column(s) {}",
                    missing.join(", ")
                )),
            });
        }
        self.columns = columns_of(&cols);
        self.header = Some(cols);
    }

    /// An event from its values in header order (a header that names a
    /// field twice: the last column's value counts, blank or not).
    fn push_raw<'r>(
        &self,
        values: impl Iterator<Item = Option<Cow<'r, str>>>,
        line: u64,
        out: &mut Vec<Item>,
    ) {
        let mut raw = RawFields::default();
        for (f, v) in self.header.iter().flatten().zip(values) {
            if let (Some(f), Some(v)) = (f, v) {
                raw.set(*f, v);
            }
        }
        push_record(&raw, &self.map, line, out);
    }
}

/// Each field's column, if no two columns feed the same field.
fn columns_of(header: &[Option<Field>]) -> Option<[Option<usize>; FIELD_COUNT]> {
    let mut columns = [None; FIELD_COUNT];
    for (i, f) in header.iter().enumerate() {
        if let Some(f) = f {
            if columns[*f as usize].is_some() {
                return None;
            }
            columns[*f as usize] = Some(i);
        }
    }
    Some(columns)
}

/// A line without quotes or carriage returns, cut at its commas. Only
/// `cut` makes one, from the commas it finds in the line itself, which is
/// what makes `piece` sound.
struct PlainLine<'a> {
    line: &'a str,
    /// Where each field ends: the position of each comma, in order, then
    /// the line's length.
    ends: &'a [usize],
}

impl<'a> PlainLine<'a> {
    /// `None` if the line has a quote or a carriage return.
    fn cut(line: &'a str, ends: &'a mut Vec<usize>) -> Option<PlainLine<'a>> {
        ends.clear();
        if !plain_commas(line.as_bytes(), ends) {
            return None;
        }
        ends.push(line.len());
        Some(PlainLine { line, ends })
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    /// Field `i` as it stands, untrimmed.
    fn piece(&self, i: usize) -> Option<&'a str> {
        let end = *self.ends.get(i)?;
        let start = match i {
            0 => 0,
            _ => self.ends.get(i - 1)? + 1,
        };
        if start > end {
            return None;
        }
        debug_assert!(self.line.is_char_boundary(start) && self.line.is_char_boundary(end));
        // SAFETY: `start <= end <= line.len()` (the ends increase and the
        // last is the length), and both are character boundaries: `end`
        // is a comma's position or the length, `start` is 0 or just after
        // a comma, and in UTF-8 an ASCII byte is a whole character. The
        // checked `get` cost ~165 instructions a line on the bench CSV
        // (callgrind, 8 fields read per line), ~6% of the reading thread.
        Some(unsafe { self.line.get_unchecked(start..end) })
    }
}

/// The fields of a plain line, read where they lie: no `RawFields` is
/// filled for them (13 values written, then read once, per line).
struct PlainFields<'a> {
    plain: &'a PlainLine<'a>,
    columns: &'a [Option<usize>; FIELD_COUNT],
}

impl Fields for PlainFields<'_> {
    fn get(&self, f: Field) -> Option<&str> {
        let v = trim(self.plain.piece(self.columns[f as usize]?)?);
        (!v.is_empty()).then_some(v)
    }
}

/// Where a field of a `QuotedLine` lies: in the line itself, or (a field
/// with doubled quotes) in the unescaped text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Span {
    Line(usize, usize),
    Unescaped(usize, usize),
}

/// A record on one line whose quoted fields are whole: each starts and ends
/// with a quote, a quote inside is doubled, and a comma or the line's end
/// follows. These read as csv-core reads them; anything else (a quote
/// inside an unquoted field, text after a closing quote, a carriage return,
/// a quoted field that continues on the next line) is left to it.
struct QuotedLine<'a> {
    line: &'a str,
    spans: &'a [Span],
    unescaped: &'a str,
}

impl<'a> QuotedLine<'a> {
    fn cut(
        line: &'a str,
        spans: &'a mut Vec<Span>,
        unescaped: &'a mut String,
    ) -> Option<QuotedLine<'a>> {
        spans.clear();
        unescaped.clear();
        // byte by byte: a search started again for every field and quote
        // (memchr) cost ~1,300 instructions a line, more than the loop
        let b = line.as_bytes();
        let mut i = 0;
        loop {
            if b.get(i) == Some(&b'"') {
                let (mut k, mut doubled) = (i + 1, false);
                let close = loop {
                    match *b.get(k)? {
                        b'"' if b.get(k + 1) == Some(&b'"') => (k, doubled) = (k + 2, true),
                        b'"' => break k,
                        b'\r' => return None,
                        _ => k += 1,
                    }
                };
                // quotes are ASCII: every cut is a character boundary
                let text = line.get(i + 1..close)?;
                if doubled {
                    let start = unescaped.len();
                    for (n, part) in text.split("\"\"").enumerate() {
                        if n > 0 {
                            unescaped.push('"');
                        }
                        unescaped.push_str(part);
                    }
                    spans.push(Span::Unescaped(start, unescaped.len()));
                } else {
                    spans.push(Span::Line(i + 1, close));
                }
                match b.get(close + 1) {
                    None => break,
                    Some(b',') => i = close + 2,
                    Some(_) => return None,
                }
            } else {
                let mut end = i;
                while let Some(&c) = b.get(end) {
                    match c {
                        b',' => break,
                        b'"' | b'\r' => return None,
                        _ => end += 1,
                    }
                }
                spans.push(Span::Line(i, end));
                if end == b.len() {
                    break;
                }
                i = end + 1;
            }
        }
        Some(QuotedLine {
            line,
            spans,
            unescaped,
        })
    }

    /// Field `i`, unquoted and untrimmed.
    fn field(&self, i: usize) -> Option<&'a str> {
        match *self.spans.get(i)? {
            Span::Line(a, z) => self.line.get(a..z),
            Span::Unescaped(a, z) => self.unescaped.get(a..z),
        }
    }
}

/// The fields of a `QuotedLine` by the header's columns.
struct QuotedFields<'a> {
    quoted: QuotedLine<'a>,
    columns: &'a [Option<usize>; FIELD_COUNT],
}

impl Fields for QuotedFields<'_> {
    fn get(&self, f: Field) -> Option<&str> {
        let v = trim(self.quoted.field(self.columns[f as usize]?)?);
        (!v.is_empty()).then_some(v)
    }
}

/// Pushes the position of every comma onto `ends`; false at the first
/// quote or carriage return. Sixteen bytes at a time in a vector register
/// (one compare per byte value, a bit mask per kind), the rest eight at a
/// time in a word (SWAR): a line's fields are a few bytes each, and a
/// vector search started again after every comma (memchr3) spent more on
/// starting than on searching. (callgrind, 400k CSV lines: 369
/// instructions a line in words alone.)
fn plain_commas(bytes: &[u8], ends: &mut Vec<usize>) -> bool {
    let (blocks, rest) = bytes.as_chunks::<16>();
    for (b, block) in blocks.iter().enumerate() {
        let (mut commas, stops) = block_masks(block);
        if stops != 0 {
            return false;
        }
        while commas != 0 {
            ends.push(b * 16 + commas.trailing_zeros() as usize);
            commas &= commas - 1;
        }
    }
    plain_commas_words(rest, blocks.len() * 16, ends)
}

/// Bit i set where byte i of `block` is a comma, and where it is a quote or
/// carriage return.
#[cfg(target_arch = "x86_64")]
fn block_masks(block: &[u8; 16]) -> (u32, u32) {
    use core::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of the x86_64 baseline, and the unaligned load
    // reads exactly the 16 bytes of `block`.
    unsafe {
        let v = _mm_loadu_si128(block.as_ptr().cast());
        let is = |b: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
        let commas = _mm_movemask_epi8(is(b','));
        let stops = _mm_movemask_epi8(_mm_or_si128(is(b'"'), is(b'\r')));
        (commas as u32, stops as u32)
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn block_masks(block: &[u8; 16]) -> (u32, u32) {
    block_masks_portable(block)
}

/// `block_masks` in plain Rust (other targets; tested against the vector
/// form on x86_64).
#[cfg_attr(all(target_arch = "x86_64", not(test)), allow(dead_code))]
fn block_masks_portable(block: &[u8; 16]) -> (u32, u32) {
    let mask = |hit: fn(u8) -> bool| {
        block
            .iter()
            .enumerate()
            .fold(0u32, |m, (i, &b)| if hit(b) { m | 1 << i } else { m })
    };
    (mask(|b| b == b','), mask(|b| b == b'"' || b == b'\r'))
}

/// `plain_commas` eight bytes at a time, for `bytes` starting at `at`.
fn plain_commas_words(bytes: &[u8], at: usize, ends: &mut Vec<usize>) -> bool {
    let (words, tail) = bytes.as_chunks::<8>();
    for (w, word) in words.iter().enumerate() {
        let word = u64::from_le_bytes(*word);
        if (bytes_equal(word, b'"') | bytes_equal(word, b'\r')) != 0 {
            return false;
        }
        let mut commas = bytes_equal(word, b',');
        while commas != 0 {
            ends.push(at + w * 8 + (commas.trailing_zeros() / 8) as usize);
            commas &= commas - 1;
        }
    }
    let at = at + words.len() * 8;
    for (i, &b) in tail.iter().enumerate() {
        match b {
            b',' => ends.push(at + i),
            b'"' | b'\r' => return false,
            _ => {}
        }
    }
    true
}

/// The high bit of each byte of `word` that equals `b`, and no other bit.
/// (The exact form: the shorter `(x - 0x01..) & !x & 0x80..` also flags
/// the byte above a match after a borrow.)
fn bytes_equal(word: u64, b: u8) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = word ^ (u64::from(b) * 0x0101_0101_0101_0101);
    !(((x & LOW7) + LOW7) | x | LOW7)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn users(csv: &str) -> Vec<Option<String>> {
        crate::decode::decode_str(csv, crate::decode::DecodeOptions::default())
            .into_iter()
            .map(|it| match it.what {
                Decoded::Event(ev) => ev.user.map(|u| u.to_string()),
                other => Some(format!("{other:?}")),
            })
            .collect()
    }

    /// A header that names a field twice: the last column counts, blank
    /// or not, on plain and quoted lines alike.
    #[test]
    fn a_field_named_twice_takes_the_last_column() {
        let csv = "ts,kind,user,creator,user\n\
                   2026-11-23T20:00:00Z,join,u1,c,u2\n\
                   2026-11-23T20:00:00Z,join,\"u1\",c,\"u2\"\n\
                   2026-11-23T20:00:00Z,join,u1,c,\n\
                   2026-11-23T20:00:00Z,join,\"u1\",c,\n";
        let want = [Some("u2"), Some("u2"), None, None].map(|u| u.map(String::from));
        assert_eq!(users(csv), want);
    }

    /// A quoted header, a quoted value spanning lines, blank and padded
    /// fields, and a line with fewer fields than the header.
    #[test]
    fn quoted_headers_and_values_read_like_plain_ones() {
        let csv = "\"ts\",kind,\"user\",creator\n\
                   2026-11-23T20:00:00Z,join, u1 ,c\n\
                   2026-11-23T20:00:00Z,join,\"u\n2\",c\n\
                   2026-11-23T20:00:00Z,join,,c\n\
                   2026-11-23T20:00:00Z,join\n\
                   2026-11-23T20:00:00Z,join,さくら,c\n";
        let want = [Some("u1"), Some("u\n2"), None, None, Some("さくら")];
        assert_eq!(users(csv), want.map(|u| u.map(String::from)));
    }

    /// `Nicknames` keeps every nickname, none, or those of orders and big
    /// gifts, on plain and quoted lines, and changes nothing else.
    #[test]
    fn nicknames_are_kept_as_asked() {
        use crate::decode::fields::Nicknames;
        let csv = "ts,kind,user,nickname,creator,diamonds\n\
                   2026-11-23T20:00:00Z,join,u1,Mia,c,\n\
                   2026-11-23T20:00:00Z,gift,u2,\"Mia, too\",c,999\n\
                   2026-11-23T20:00:00Z,gift,u3,Big,c,1000\n\
                   2026-11-23T20:00:00Z,order,u4,\"Buyer\",c,\n";
        let decode = |nicknames| {
            let mut opts = crate::decode::DecodeOptions::default();
            opts.map.nicknames = nicknames;
            crate::decode::decode_str(csv, opts)
                .into_iter()
                .map(|it| match it.what {
                    Decoded::Event(ev) => ev,
                    other => panic!("{other:?}"),
                })
                .collect::<Vec<_>>()
        };
        let nick = |evs: &[crate::model::Event]| {
            evs.iter()
                .map(|e| e.nickname.as_deref().unwrap_or("-").to_string())
                .collect::<Vec<_>>()
                .join("|")
        };
        let all = decode(Nicknames::All);
        assert_eq!(nick(&all), "Mia|Mia, too|Big|Buyer");
        assert_eq!(nick(&decode(Nicknames::None)), "-|-|-|-");
        let notable = decode(Nicknames::Notable { big_gift: 1000 });
        assert_eq!(nick(&notable), "-|-|Big|Buyer");
        for (mut a, n) in all.into_iter().zip(decode(Nicknames::None)) {
            a.nickname = None;
            assert_eq!(a, n);
        }
    }

    /// Records written by the `csv` crate (which quotes a field with a
    /// quote, a comma or spaces at its ends, doubling its quotes) are cut
    /// here into exactly the values written, and decode to them trimmed.
    #[test]
    fn quoted_lines_read_what_the_csv_crate_wrote() {
        let value = proptest::collection::vec(
            prop_oneof![
                Just('"'),
                Just(','),
                Just(' '),
                Just('a'),
                Just('é'),
                Just('さ')
            ],
            0..8,
        )
        .prop_map(String::from_iter);
        let record = proptest::array::uniform3(value);
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(3000));
        let quoted = std::cell::Cell::new(0);
        let result = runner.run(&record, |[user, nick, creator]| {
            let mut w = csv::Writer::from_writer(Vec::new());
            let row = [
                user.as_str(),
                &nick,
                &creator,
                "2026-11-23T20:00:00Z",
                "join",
            ];
            prop_assert!(w.write_record(row).is_ok());
            let bytes = w.into_inner().unwrap_or_default();
            let line = String::from_utf8(bytes).unwrap_or_default();
            let line = line.trim_end_matches('\n');
            let (mut spans, mut unescaped) = (Vec::new(), String::new());
            if line.contains('"') {
                quoted.set(quoted.get() + 1);
                let cut = QuotedLine::cut(line, &mut spans, &mut unescaped);
                prop_assert!(cut.is_some(), "{}", line);
                if let Some(cut) = cut {
                    let fields: Vec<&str> = (0..5).filter_map(|i| cut.field(i)).collect();
                    prop_assert_eq!(&fields, &row, "{}", line);
                    prop_assert!(cut.field(5).is_none());
                }
            }
            let csv = format!("user,nickname,creator,ts,kind\n{line}\n");
            let items = crate::decode::decode_str(&csv, crate::decode::DecodeOptions::default());
            let want = |v: &str| Some(v.trim()).filter(|v| !v.is_empty()).map(String::from);
            match items.as_slice() {
                [
                    Item {
                        what: Decoded::Event(ev),
                        ..
                    },
                ] => {
                    let got = |t: &Option<crate::model::Text>| t.as_ref().map(|t| t.to_string());
                    prop_assert_eq!(got(&ev.user), want(&user), "{}", line);
                    prop_assert_eq!(got(&ev.nickname), want(&nick), "{}", line);
                    prop_assert_eq!(got(&ev.creator), want(&creator), "{}", line);
                }
                other => prop_assert!(false, "{}: {:?}", line, other),
            }
            Ok(())
        });
        assert!(result.is_ok(), "{result:?}");
        assert!(quoted.get() > 1_000, "{}", quoted.get());
    }

    /// What a one-line cut leaves to csv-core: a quote inside an unquoted
    /// field, text after a closing quote, a carriage return, a quoted
    /// field that goes on past the line.
    #[test]
    fn odd_quotes_are_left_to_the_general_path() {
        for line in [
            "a\"b,c",
            "\"a\"b,c",
            "\"a\" ,c",
            "x,\"a\rb\"",
            "x,a\rb,\"c\"",
            "\"a,b",
            "x,\"a\"\"",
        ] {
            let (mut spans, mut unescaped) = (Vec::new(), String::new());
            assert!(
                QuotedLine::cut(line, &mut spans, &mut unescaped).is_none(),
                "{line:?}"
            );
        }
        // and are read as before: csv-core keeps stray quotes as text, and
        // text after a closing quote
        let csv =
            "user,ts,kind\na\"b\"c,2026-11-23T20:00:00Z,join\n\"u\"2,2026-11-23T20:00:00Z,join\n";
        assert_eq!(
            users(csv),
            [Some("a\"b\"c".to_string()), Some("u2".to_string())]
        );
    }

    /// The vector masks equal the plain-Rust ones other targets use.
    #[test]
    fn vector_and_portable_block_masks_agree() {
        let block = proptest::array::uniform16(prop_oneof![
            Just(b','),
            Just(b'"'),
            Just(b'\r'),
            any::<u8>()
        ]);
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(4000));
        let result = runner.run(&block, |block| {
            prop_assert_eq!(block_masks(&block), block_masks_portable(&block));
            Ok(())
        });
        assert!(result.is_ok(), "{result:?}");
    }

    /// Every byte value next to every other, at every place in a word and
    /// in the tail: the same commas as a plain byte loop, and false
    /// exactly when there is a quote or carriage return.
    #[test]
    fn finds_commas_like_a_byte_loop() {
        let bytes = proptest::collection::vec(
            prop_oneof![Just(b','), Just(b'"'), Just(b'\r'), any::<u8>()],
            0..120,
        );
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(4000));
        let result = runner.run(&bytes, |bytes| {
            let mut ends = Vec::new();
            let plain = plain_commas(&bytes, &mut ends);
            prop_assert_eq!(plain, !bytes.iter().any(|&b| b == b'"' || b == b'\r'));
            if plain {
                let want: Vec<usize> = (0..bytes.len()).filter(|&i| bytes[i] == b',').collect();
                prop_assert_eq!(ends, want);
            }
            Ok(())
        });
        assert!(result.is_ok(), "{result:?}");
        // every pair of byte values side by side, inside a word, across
        // words, across the last word and the tail, and in the tail
        // (18 bytes: a 16-byte block and a tail; 26: a block, a word, a tail)
        for (len, at) in [
            (18, 0),
            (18, 7),
            (18, 15),
            (18, 16),
            (26, 15),
            (26, 23),
            (26, 24),
        ] {
            for pair in 0..=u16::MAX {
                let mut line = vec![b'x'; len];
                [line[at], line[at + 1]] = pair.to_le_bytes();
                let mut ends = Vec::new();
                let plain = plain_commas(&line, &mut ends);
                let quoted = line.iter().any(|&c| c == b'"' || c == b'\r');
                assert_eq!(plain, !quoted, "{line:?}");
                if plain {
                    let want: Vec<usize> = (0..len).filter(|&i| line[i] == b',').collect();
                    assert_eq!(ends, want, "{line:?}");
                }
            }
        }
    }
}
