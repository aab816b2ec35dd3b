//! Faults around the real binary in a pseudo-terminal: a producer killed
//! mid-line, a followed file rotated / deleted / recreated, SIGHUP and
//! SIGTERM, `--record` on a full disk, a resize storm and the terminal
//! disappearing. The pty harness is tests/common (portable-pty + vt100):
//! every check waits for a screen condition with a generous timeout; sleeps
//! only pace the producers, they are never what a test asserts on.

mod common;
use common::*;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

const HEADER: &str = "ts,kind,creator,user,item,qty,diamonds\n";

fn wait_pid(file: &Path) -> u32 {
    let start = Instant::now();
    loop {
        if let Some(pid) = read_pid(file) {
            return pid;
        }
        assert!(start.elapsed() < TIMEOUT, "no pid in {}", file.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn kill(sig: &str, pid: u32) {
    let ok = std::process::Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .unwrap();
    assert!(ok.success(), "kill {sig} {pid}");
}

fn gift(sec: u32, user: &str, diamonds: u32) -> String {
    format!("2026-11-23T20:00:{sec:02}Z,gift,alice,{user},Rose,1,{diamonds}\n")
}

fn append(path: &Path, text: &str) {
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

/// Runs `livetally ARGS` in the background of the pty's shell, writes its
/// pid to `pid` and then prints and exits with its status.
fn dashboard_cmd(args: &str) -> String {
    format!("{args} & echo $! > pid; wait $!; code=$?; echo \"exit=$code\"; exit $code")
}

/// Write `producer.sh` into `dir`: it records its pid, waits until the test
/// creates `go` (the dashboard is up), then runs `body`. Producers end with
/// `exec sleep`, so their pid is the last holder of the pipe.
fn producer(dir: &Path, body: &str) {
    std::fs::write(
        dir.join("producer.sh"),
        format!("echo $$ > producer.pid\nwhile [ ! -e go ]; do sleep 0.05; done\n{body}"),
    )
    .unwrap();
}

/// Create `dir/name` (a signal to a producer script).
fn touch(dir: &Path, name: &str) {
    std::fs::write(dir.join(name), "").unwrap();
}

fn wait_file(path: &Path) {
    let start = Instant::now();
    while !path.exists() {
        assert!(start.elapsed() < TIMEOUT, "no {}", path.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn producer_killed_mid_line_ends_the_feed_and_rejects_the_torn_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // After the gift, join rows keep coming until the test says `stop` (so
    // the gift shows even if the last lines before a pause were held back:
    // see a_quiet_stdin_feed_still_shows_its_last_lines). Then half a line,
    // and silence.
    producer(
        d,
        "printf 'ts,kind,user,diamonds\\n2026-11-23T20:00:00Z,gift,u1,5\\n'\n\
         while [ ! -e stop ]; do sleep 0.1; printf '2026-11-23T20:00:01Z,join,u2,\\n'; done\n\
         printf '2026-11-23T20:00:0'\n\
         touch torn\n\
         exec sleep 30\n",
    );
    let cmd = format!("sh producer.sh | '{BIN}' --window all -");
    let mut s = Screen::spawn(&cmd, d);
    s.owns(d.join("producer.pid"));
    s.wait_for("stdin live");
    touch(d, "go");
    let screen = s.wait_totals("1", "5");
    assert!(screen.contains("stdin live"), "{screen}");
    assert!(has_number(&screen, "rejected 0"), "{screen}");
    touch(d, "stop");
    wait_file(&d.join("torn"));
    // the producer dies with half a line in the pipe
    kill("-KILL", wait_pid(&d.join("producer.pid")));
    let screen = s.wait_for("feed ended");
    // the torn last line reaches the decoder at EOF and is rejected
    let screen = if has_number(&screen, "rejected 1") {
        screen
    } else {
        s.wait_until("rejected 1", |t| has_number(t, "rejected 1"))
    };
    assert!(has_number(&screen, "sent 1  diamonds 5"), "{screen}");
    // the rejected lines panel names it: stdin, reason
    assert!(screen.contains("stdin:"), "{screen}");
    // the dashboard stays up after its feed ended
    std::thread::sleep(Duration::from_millis(300));
    assert!(s.running(), "dashboard quit at the end of the feed");
    assert!(s.text().contains("Creators"), "{}", s.text());
    s.press("q");
    assert_eq!(s.exit_code(), 0);
}

#[test]
fn follows_rotation_by_rename_deletion_and_recreation() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("feed.csv");
    let old = dir.path().join("feed.csv.1");
    std::fs::write(&log, format!("{HEADER}{}", gift(0, "u1", 1))).unwrap();
    let mut s = Screen::spawn(&format!("'{BIN}' --window all -f feed.csv"), dir.path());
    s.wait_for("feed.csv following");
    s.wait_totals("1", "1");

    // logrotate-style: rename, the writer still appends to its open file,
    // then the new file appears
    std::fs::rename(&log, &old).unwrap();
    append(&old, &gift(1, "u2", 20));
    std::fs::write(&log, format!("{HEADER}{}", gift(2, "u3", 300))).unwrap();
    let screen = s.wait_totals("3", "321");
    let screen = if screen.contains("rotated") {
        screen
    } else {
        s.wait_for("rotated")
    };
    assert!(
        screen.contains("feed.csv: rotated, reading the new file"),
        "{screen}"
    );
    // the new file is followed: it grows
    append(&log, &gift(3, "u4", 4000));
    s.wait_totals("4", "4,321");

    // deleted, then recreated a little later
    std::fs::remove_file(&log).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert!(s.running());
    std::fs::write(&log, format!("{HEADER}{}", gift(4, "u5", 50000))).unwrap();
    let screen = s.wait_totals("5", "54,321");
    assert!(screen.contains("feed.csv following"), "{screen}");
    s.press("q");
    assert_eq!(s.exit_code(), 0);
}

/// A rotated or recreated CSV file is a new document that starts with its
/// own header row. (livetally once kept the previous file's header: the new
/// header was rejected as a row and reordered columns were decoded with the
/// old mapping.)
#[test]
fn a_rotated_csv_file_is_decoded_with_its_own_header() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("feed.csv");
    std::fs::write(&log, format!("{HEADER}{}", gift(0, "u1", 1))).unwrap();
    let mut s = Screen::spawn(&format!("'{BIN}' --window all -f feed.csv"), dir.path());
    s.wait_totals("1", "1");
    std::fs::rename(&log, dir.path().join("feed.csv.1")).unwrap();
    // same columns, another order
    std::fs::write(
        &log,
        "diamonds,qty,item,user,creator,kind,ts\n20,1,Rose,u2,alice,gift,2026-11-23T20:00:01Z\n",
    )
    .unwrap();
    s.wait_for("rotated");
    let screen = s.wait_until("the new row or a reject", |t| {
        has_number(t, "sent 2  diamonds 21") || !has_number(t, "rejected 0")
    });
    assert!(has_number(&screen, "rejected 0"), "{screen}");
    assert!(has_number(&screen, "sent 2  diamonds 21"), "{screen}");
    s.press("q");
    assert_eq!(s.exit_code(), 0);
}

#[test]
fn sighup_ends_the_dashboard_with_129_and_leaves_the_alternate_screen() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("feed.csv"),
        format!("{HEADER}{}", gift(0, "u1", 7)),
    )
    .unwrap();
    let cmd = dashboard_cmd(&format!("'{BIN}' --quiet --window all -f feed.csv"));
    let mut s = Screen::spawn(&cmd, dir.path());
    s.owns(dir.path().join("pid"));
    s.wait_for("following");
    s.wait_totals("1", "7");
    let pid = wait_pid(&dir.path().join("pid"));
    kill("-HUP", pid);
    let screen = s.wait_for("exit=129");
    assert!(!alive(pid), "pid {pid} still running");
    // back on the normal screen: no dashboard text left
    for gone in ["Creators", "following", "diamonds"] {
        assert!(
            !screen.contains(gone),
            "{gone:?} still on screen:\n{screen}"
        );
    }
    assert_eq!(s.exit_code(), 129);
}

#[test]
fn sigterm_flushes_the_recording_up_to_the_last_whole_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Every complete line, byte for byte: CRLF, a blank line, invalid UTF-8.
    let mut rows: Vec<Vec<u8>> = vec![HEADER.as_bytes().to_vec()];
    for i in 0..600u32 {
        rows.push(gift(i % 60, &format!("u{i}"), 1).into_bytes());
    }
    rows.push(b"2026-11-23T20:01:00Z,gift,alice,u\xff,Rose,1,1\r\n".to_vec());
    rows.push(b"\n".to_vec());
    rows.push(b"2026-11-23T20:01:01Z,gift,bob,u9,Rose,1,1\n".to_vec());
    let rows = rows.concat();
    std::fs::write(d.join("rows.csv"), &rows).unwrap();
    // Then join rows, each written in two halves 50 ms apart, so SIGTERM
    // may well find half a line buffered.
    producer(
        d,
        "cat rows.csv\n\
         i=0\n\
         while [ $i -lt 400 ]; do\n\
           printf '2026-11-23T20:02:00Z,join,al'; sleep 0.05\n\
           printf 'ice,j%d,,,\\n' $i; sleep 0.05\n\
           i=$((i + 1))\n\
         done\n\
         exec sleep 30\n",
    );
    // everything the producer may write, in order
    let mut stream = rows.clone();
    for i in 0..400 {
        stream.extend_from_slice(format!("2026-11-23T20:02:00Z,join,alice,j{i},,,\n").as_bytes());
    }
    let cmd = dashboard_cmd(&format!(
        "sh producer.sh | '{BIN}' --quiet --window all --record rec.csv -"
    ));
    let mut s = Screen::spawn(&cmd, d);
    s.owns(d.join("producer.pid"));
    s.owns(d.join("pid"));
    s.wait_for("stdin live");
    touch(d, "go");
    // every gift row is on screen, so every one of them was received
    s.wait_totals("602", "602");
    let pid = wait_pid(&d.join("pid"));
    kill("-TERM", pid);
    let start = Instant::now();
    while alive(pid) {
        assert!(start.elapsed() < TIMEOUT, "still running after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
    // the shell waits for the whole pipeline: end the producer too (unless
    // its next write already met SIGPIPE)
    s.kill_owned();
    s.wait_for("exit=143");
    assert_eq!(s.exit_code(), 143);
    let rec = std::fs::read(d.join("rec.csv")).unwrap();
    // All the rows, then whole join lines as received, nothing else: a
    // line-aligned prefix of what the producer wrote.
    eprintln!(
        "recording: the {} bytes of rows and {} join lines",
        rows.len(),
        rec.get(rows.len()..)
            .map_or(0, |j| j.iter().filter(|&&b| b == b'\n').count())
    );
    assert!(rec.ends_with(b"\n"), "recording ends mid-line");
    assert!(
        rec.len() >= rows.len(),
        "recording has {} bytes, the rows on screen {}",
        rec.len(),
        rows.len()
    );
    assert!(
        stream.starts_with(&rec),
        "recording differs from the lines received:\n{}",
        String::from_utf8_lossy(&rec[rows.len().min(rec.len())..])
    );
}

#[test]
fn record_to_a_full_disk_is_reported_and_ingest_continues() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // The recording is opened before the dashboard shows up, and flushed
    // (and fails) by the first line written a second or more after that:
    // the second row. The third row comes after the notice, then EOF.
    let esc = |s: String| s.replace('\n', "\\n");
    producer(
        d,
        &format!(
            "printf '{}{}'\nsleep 1.2\nprintf '{}'\n\
             while [ ! -e done ]; do sleep 0.05; done\nprintf '{}'\n",
            esc(HEADER.to_string()),
            esc(gift(0, "u1", 1)),
            esc(gift(1, "u2", 10)),
            esc(gift(2, "u3", 100)),
        ),
    );
    let cmd = format!("sh producer.sh | '{BIN}' --window all --record /dev/full -");
    let mut s = Screen::spawn(&cmd, d);
    s.owns(d.join("producer.pid"));
    s.wait_for("stdin live");
    touch(d, "go");
    let screen = s.wait_for("--record failed");
    assert!(
        screen.contains("--record failed: No space left on device"),
        "{screen}"
    );
    assert!(screen.contains("ingest continues"), "{screen}");
    touch(d, "done");
    let screen = s.wait_for("feed ended");
    let screen = if has_number(&screen, "sent 3  diamonds 111") {
        screen
    } else {
        s.wait_totals("3", "111")
    };
    assert!(has_number(&screen, "rejected 0"), "{screen}");
    s.press("q");
    // the recording is incomplete: the run ends as a runtime failure
    assert_eq!(s.exit_code(), 1);
}

/// The same with a followed file: the follow loop flushes the recording on
/// its own once a second, and a failure found by that flush must be shown
/// too (it once was kept silently).
#[test]
fn record_to_a_full_disk_is_reported_when_following_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("feed.csv");
    std::fs::write(&log, format!("{HEADER}{}", gift(0, "u1", 1))).unwrap();
    let mut s = Screen::spawn(
        &format!("'{BIN}' --window all --record /dev/full -f feed.csv"),
        dir.path(),
    );
    s.wait_totals("1", "1");
    // rows keep arriving, for longer than the one-second flush interval
    for i in 1..=30 {
        append(&log, &gift(i, &format!("u{}", i + 1), 1));
        std::thread::sleep(Duration::from_millis(100));
    }
    s.wait_totals("31", "31");
    s.wait_for("--record failed");
    s.press("q");
    // the recording is incomplete: the run ends as a runtime failure
    assert_eq!(s.exit_code(), 1);
}

#[test]
fn resize_storm_then_a_normal_dashboard() {
    let dir = tempfile::tempdir().unwrap();
    let cmd = format!("'{BIN}' simulate --rate 400 | '{BIN}' --window all -");
    let mut s = Screen::spawn(&cmd, dir.path());
    s.wait_for("Creators");
    s.wait_for("stdin live");
    // 50 sizes in about a second, from 1x1 to 200x60 (fixed seed: repeatable)
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    for i in 0..50 {
        let (rows, cols) = match i {
            0 => (1, 1),
            1 => (60, 200),
            2 => (6, 30),
            3 => (5, 29),
            _ => (1 + next(60) as u16, 1 + next(200) as u16),
        };
        s.resize(rows, cols);
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(s.running(), "died in the resize storm:\n{}", s.text());
    s.resize(40, 120);
    let screen = s.wait_until("a full dashboard at 120x40", |t| {
        t.contains("Creators")
            && t.contains("Gifts")
            && t.contains("Conversion")
            && t.contains("stdin live")
    });
    assert!(!screen.contains("panicked"), "{screen}");
    assert!(s.running());
    // still ingesting and drawing after the storm
    let before = s.text();
    s.wait_until("the totals to move", |t| {
        t.lines().find(|l| l.contains("sent ")) != before.lines().find(|l| l.contains("sent "))
    });
    s.press("q");
    assert_eq!(s.exit_code(), 0);
}

/// Start the dashboard following a file, close the pty master, and return
/// (seconds until the process was gone, CPU ticks it used meanwhile).
/// The shell ignores SIGHUP so it survives the hang-up and writes the
/// dashboard's exit status to `status` (its stderr goes to `err.txt`).
fn hang_up_under(dir: &Path, quiet: &str) -> (Duration, u64) {
    std::fs::write(
        dir.join("feed.csv"),
        format!("{HEADER}{}", gift(0, "u1", 3)),
    )
    .unwrap();
    // A panic's backtrace would be symbolized for a second of CPU: not the
    // spinning this looks for.
    let cmd = format!(
        "trap '' HUP; unset RUST_BACKTRACE; '{BIN}' {quiet} --window all -f feed.csv 2> err.txt & echo $! > pid; wait $!; echo $? > status"
    );
    let mut s = Screen::spawn(&cmd, dir);
    s.owns(dir.join("pid"));
    s.wait_for("following");
    s.wait_totals("1", "3");
    let pid = wait_pid(&dir.join("pid"));
    let (_, ticks_before) = proc_stat(pid).expect("dashboard running");
    s.hang_up();
    let start = Instant::now();
    let mut ticks = ticks_before;
    while alive(pid) {
        if let Some((_, t)) = proc_stat(pid) {
            ticks = t;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "still running {:?} after the terminal went away; cpu ticks since: {}",
            start.elapsed(),
            ticks - ticks_before
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let gone = start.elapsed();
    let status = dir.join("status");
    let start = Instant::now();
    while std::fs::read_to_string(&status).map_or(true, |t| !t.ends_with('\n')) {
        assert!(start.elapsed() < TIMEOUT, "no exit status written");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(s.exit_code(), 0);
    (gone, ticks - ticks_before)
}

#[test]
fn terminal_gone_ends_the_dashboard_within_seconds() {
    for quiet in ["", "--quiet"] {
        let dir = tempfile::tempdir().unwrap();
        let (gone, ticks) = hang_up_under(dir.path(), quiet);
        eprintln!("{quiet:?}: gone after {gone:?}, {ticks} cpu ticks");
    }
}

/// README: "129 for SIGHUP or a terminal that went away", and an idle
/// dashboard sleeps. (The key reader thread once spun at 100% CPU once the
/// terminal was gone, because crossterm's poll waits for POLLIN and ignores
/// POLLHUP, until a redraw failed; the dashboard then exited 1, or panicked
/// printing its summary to the dead terminal.)
#[test]
fn terminal_gone_exits_129_promptly_without_spinning_or_panicking() {
    for quiet in ["", "--quiet"] {
        let dir = tempfile::tempdir().unwrap();
        let (gone, ticks) = hang_up_under(dir.path(), quiet);
        let status = std::fs::read_to_string(dir.path().join("status")).unwrap();
        let err = std::fs::read_to_string(dir.path().join("err.txt")).unwrap();
        assert!(!err.contains("panicked"), "{quiet:?}: {err}");
        assert_eq!(status.trim(), "129", "{quiet:?}: stderr: {err}");
        // 100 ticks = 1 s of CPU: a prompt exit uses a few
        assert!(
            ticks < 20,
            "{quiet:?}: {ticks} cpu ticks in the {gone:?} it took to exit"
        );
    }
}

/// A live stdin feed that goes quiet (a TikTok LIVE websocket between gifts)
/// must still show the lines it already sent. (It once did not: the stdin
/// reader handed a batch over only when a later line arrived or at EOF, so
/// the last lines before a pause stayed invisible while the pause lasted.)
#[test]
fn a_quiet_stdin_feed_still_shows_its_last_lines() {
    let dir = tempfile::tempdir().unwrap();
    producer(
        dir.path(),
        "printf 'ts,kind,user,diamonds\\n2026-11-23T20:00:00Z,gift,u1,5\\n'\n\
         exec sleep 60\n",
    );
    let cmd = format!("sh producer.sh | '{BIN}' --window all -");
    let mut s = Screen::spawn(&cmd, dir.path());
    s.owns(dir.path().join("producer.pid"));
    s.wait_for("stdin live");
    touch(dir.path(), "go");
    let screen = s.wait_totals("1", "5");
    assert!(screen.contains("stdin live"), "{screen}");
    s.press("q");
    s.kill_owned();
    assert_eq!(s.exit_code(), 0);
}
