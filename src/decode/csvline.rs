//! CSV decoding line by line, so a followed file or a pipe can be decoded as
//! it arrives; a quoted field may span lines, so a record is held until its
//! quotes balance.

use super::canonical::{Record, build_event};
use super::fields::{Field, FieldMap, RawFields};
use super::{Decoded, Item};

pub struct CsvState {
    map: FieldMap,
    header: Option<Vec<Option<Field>>>,
    pending: String,
    pending_line: u64,
    quotes: usize,
}

impl CsvState {
    pub fn new(map: FieldMap) -> CsvState {
        CsvState {
            map,
            header: None,
            pending: String::new(),
            pending_line: 0,
            quotes: 0,
        }
    }

    pub fn in_record(&self) -> bool {
        !self.pending.is_empty()
    }

    pub fn push_line(&mut self, line: &str, line_no: u64, out: &mut Vec<Item>) {
        if self.pending.is_empty() {
            self.pending_line = line_no;
        } else {
            self.pending.push('\n');
        }
        self.pending.push_str(line);
        self.quotes += line.bytes().filter(|&b| b == b'"').count();
        if self.quotes % 2 == 1 {
            return; // a quoted field continues on the next line
        }
        let record = std::mem::take(&mut self.pending);
        self.quotes = 0;
        self.decode_record(&record, self.pending_line, out);
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

    fn decode_record(&mut self, record: &str, line: u64, out: &mut Vec<Item>) {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(record.as_bytes());
        let mut rec = csv::StringRecord::new();
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => {
                out.push(Item {
                    line,
                    what: Decoded::Rejected(format!("bad CSV: {e}")),
                });
                return;
            }
        }
        let Some(header) = &self.header else {
            let cols: Vec<Option<Field>> =
                rec.iter().map(|h| self.map.field_for_header(h)).collect();
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
            self.header = Some(cols);
            return;
        };
        let mut raw = RawFields::default();
        for (i, v) in rec.iter().enumerate() {
            if let Some(Some(f)) = header.get(i) {
                raw.set(*f, v.to_string());
            }
        }
        let what = match build_event(&raw, self.map.constant_kind.as_deref()) {
            Ok(Record::Event(e)) => Decoded::Event(e),
            Ok(Record::Skipped(k)) => Decoded::Skipped(k),
            Err(reason) => Decoded::Rejected(reason),
        };
        out.push(Item { line, what });
    }
}
