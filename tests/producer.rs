//! livetally as a consumer of a long-running line producer (kcat, a relay,
//! a websocket bridge): partial lines, bursts and pauses on stdin.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_livetally");

#[test]
fn partial_lines_bursts_and_pauses_from_a_producer_process() {
    // The producer is its own process, like kcat: it writes a header, then
    // lines split mid-field across writes with pauses, then a burst.
    let mut script = String::from("printf 'ts,kind,creator,user,item,qty,diamonds,event_id\\n'\n");
    for i in 0..20 {
        // each line in three writes with pauses in between
        script.push_str(&format!(
            "printf '2026-11-23T20:00:{:02}Z,gi'; sleep 0.01; printf 'ft,alice,u{},Rose,'; sleep 0.01; printf '2,2,p{}\\n'\n",
            i, i % 7, i
        ));
    }
    script.push_str("sleep 0.2\n");
    // a burst of 5000 lines in one write
    script.push_str(
        "i=0; while [ $i -lt 5000 ]; do echo \"2026-11-23T20:01:00Z,gift,bob,b$((i % 100)),Lion,1,29999,q$i\"; i=$((i+1)); done\n",
    );
    // a replayed line (same event id) and a final line without its newline
    script.push_str("echo '2026-11-23T20:01:00Z,gift,bob,b1,Lion,1,29999,q1'\n");
    script.push_str("printf '2026-11-23T20:02:00Z,gift,carol,c1,Rose,1,1,last'\n");

    let mut producer = Command::new("sh")
        .args(["-c", &script])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let out = Command::new(BIN)
        .args(["report", "--json", "-"])
        .stdin(producer.stdout.take().unwrap())
        .output()
        .unwrap();
    assert!(producer.wait().unwrap().success());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // 20 split lines (2 Roses each) + 5000 Lions + carol's last Rose;
    // the replayed q1 is a duplicate.
    assert_eq!(r["events"]["gift"], 5021);
    assert_eq!(r["events"]["duplicates"], 1);
    assert_eq!(r["events"]["errors"], 0);
    assert_eq!(r["gifts"]["sent"], 40 + 5000 + 1);
    assert_eq!(r["gifts"]["diamonds"], 40 + 5000 * 29999 + 1);
    // u0..u6, b0..b99, c1
    assert_eq!(r["gifts"]["gifters"], 7 + 100 + 1);
}

#[test]
fn a_producer_killed_mid_line_loses_only_that_line() {
    let mut child = Command::new(BIN)
        .args(["report", "--json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(b"ts,kind,user,diamonds\n2026-11-23T20:00:00Z,gift,u1,5\n2026-11-23T20:0")
            .unwrap();
        std::thread::sleep(Duration::from_millis(100));
        // the producer dies: its end of the pipe closes mid-line
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["gifts"]["diamonds"], 5);
    // the torn line is rejected (its timestamp is cut), never half-counted
    assert_eq!(r["events"]["errors"], 1);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "livetally: rejected stdin:3: missing kind\n"
    );
}
