//! The command line end to end, without a terminal: --record, --rejects,
//! --replay pacing, exit codes and named input errors.

use std::process::{Command, Stdio};
use std::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_livetally");

fn rules() -> String {
    format!("{}/tests/fixtures/rules.csv", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn record_keeps_every_raw_line_and_rejects_names_source_line_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("rec.csv");
    let rej = dir.path().join("rej.txt");
    let input = std::fs::read(rules()).unwrap();
    let mut child = Command::new(BIN)
        .args(["report", "--json", "--record"])
        .arg(&rec)
        .arg("--rejects")
        .arg(&rej)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(&input).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    // the rejected line is also named on stderr
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("livetally: rejected stdin:27: bad ts"),
        "{err}"
    );
    // the recording is the input, byte for byte (it ends on a newline)
    assert_eq!(std::fs::read(&rec).unwrap(), input);
    let rejects = std::fs::read_to_string(&rej).unwrap();
    assert_eq!(
        rejects,
        "stdin:27: bad ts \"not-a-time\": expected RFC 3339 with offset or Unix epoch \
         seconds/milliseconds\tnot-a-time,gift,bob,u7,Rose,1,1,,,,,,\n"
    );
    // replaying the recording gives the same report
    let again = Command::new(BIN)
        .args(["report", "--json"])
        .arg(&rec)
        .output()
        .unwrap();
    let a: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let b: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(a["creators"], b["creators"]);
    assert_eq!(a["orders"], b["orders"]);
}

#[test]
fn replay_paces_by_event_time() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("two-seconds.csv");
    std::fs::write(
        &f,
        "ts,kind,user\n2026-11-23T20:00:00Z,join,a\n2026-11-23T20:00:01Z,join,b\n2026-11-23T20:00:02Z,join,c\n",
    )
    .unwrap();
    // 2 s of event time at 4x takes at least 0.5 s of wall time
    let t = Instant::now();
    let out = Command::new(BIN)
        .args(["report", "--json", "--replay", "4"])
        .arg(&f)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(t.elapsed().as_millis() >= 500, "{:?}", t.elapsed());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["events"]["join"], 3);
}

#[test]
fn exit_codes_and_named_errors() {
    let missing = Command::new(BIN)
        .args(["report", "/nonexistent/feed.csv"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(err.contains("/nonexistent/feed.csv"), "{err}");

    let bad_flag = Command::new(BIN)
        .args(["report", "--window", "2d", &rules()])
        .output()
        .unwrap();
    assert_eq!(bad_flag.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_flag.stderr).contains("unknown window"));

    let bad_map = Command::new(BIN)
        .args(["report", "--map", "when=x", &rules()])
        .output()
        .unwrap();
    assert_eq!(bad_map.status.code(), Some(2));

    let ok = Command::new(BIN)
        .args(["report", &rules()])
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0));
    let table = String::from_utf8_lossy(&ok.stdout);
    assert!(
        table.contains("GIFTS   sent 10 · diamonds 30,305 · gifters 4"),
        "{table}"
    );
    // the one bad line is named on stderr, with its reason; the report
    // itself counts it
    assert_eq!(
        String::from_utf8_lossy(&ok.stderr),
        format!(
            "livetally: rejected {}:27: bad ts \"not-a-time\": expected RFC 3339 with offset \
             or Unix epoch seconds/milliseconds\n",
            rules()
        )
    );
    assert!(table.contains("errors 1 "), "{table}");
}

/// Past ten rejected lines the report names the last ten and says how
/// many there were; an escape in a line reaches stderr written out, never
/// raw.
#[test]
fn report_names_the_last_rejected_lines() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.csv");
    let mut text = String::from("ts,kind,creator\n");
    for i in 0..14 {
        text += &format!("t{i}\u{1b}[2J,gift,ana\n");
    }
    text += "2026-11-23T20:00:00Z,gift,ana\n";
    std::fs::write(&f, text).unwrap();
    let out = Command::new(BIN).arg("report").arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 11, "{err}");
    let name = f.display();
    assert!(
        lines[0].starts_with(&format!(
            "livetally: rejected {name}:6: bad ts \"t4\\u{{1b}}[2J\""
        )),
        "{err}"
    );
    assert!(
        lines[9].starts_with(&format!(
            "livetally: rejected {name}:15: bad ts \"t13\\u{{1b}}[2J\""
        )),
        "{err}"
    );
    assert_eq!(
        lines[10],
        "livetally: rejected 14 lines rejected in all, the last 10 shown (--rejects FILE writes every one)"
    );
    assert!(!err.contains('\u{1b}'));
}

#[test]
fn report_into_a_closed_pipe_is_not_an_error() {
    // `livetally report | true`: the reader is gone before the report is
    // written (--replay holds it back); with pipefail the pipeline's status
    // is livetally's own
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("slow.csv");
    std::fs::write(
        &f,
        "ts,kind,user\n2026-11-23T20:00:00Z,join,a\n2026-11-23T20:00:02Z,join,b\n",
    )
    .unwrap();
    let status = Command::new("bash")
        .args([
            "-c",
            &format!(
                "set -o pipefail; '{BIN}' report --replay 4 --json '{}' | true",
                f.display()
            ),
        ])
        .status()
        .unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn simulate_event_rate_sets_the_span_of_event_time() {
    // 4,000 mix rows at 100 events/s of event time span ~40 s (exponential
    // gaps: the sum of 4,000 has a standard deviation of 1.6%); the bench
    // profile's own 2,000/s packs them into ~2 s.
    let span = |extra: &[&str]| -> f64 {
        let out = Command::new(BIN)
            .args(["simulate", "--profile", "bench", "--count", "4000", "--csv"])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        let ts: Vec<chrono::DateTime<chrono::Utc>> = text
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap().parse().unwrap())
            .collect();
        (ts[ts.len() - 1] - ts[0]).num_milliseconds() as f64 / 1000.0
    };
    let slow = span(&["--event-rate", "100"]);
    assert!((36.0..44.0).contains(&slow), "{slow} s");
    let fast = span(&[]);
    assert!((1.8..2.2).contains(&fast), "{fast} s");
    let bad = Command::new(BIN)
        .args(["simulate", "--count", "1", "--event-rate", "0"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--event-rate"));
}
