//! The pty harness shared by the end-to-end, fault and soak tests: the real
//! binary in a pseudo-terminal, its screen read through vt100.
#![allow(dead_code)] // each test crate uses a different part of it

use portable_pty::{CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, RawFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_livetally");
pub const TIMEOUT: Duration = Duration::from_secs(20);

pub struct Screen {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Option<Box<dyn Write + Send>>,
    master: Option<Box<dyn MasterPty + Send>>,
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
    stop_reader: Arc<AtomicBool>,
    reader: Option<JoinHandle<()>>,
    /// Processes this test started (read from pid files): killed on drop so a
    /// failing test leaves nothing running.
    pidfiles: Vec<PathBuf>,
}

/// Set O_NONBLOCK on the pty master (the flag lives on the shared open file
/// description, so every dup of it sees it) without a libc dependency.
fn set_nonblocking(fd: RawFd) {
    // SAFETY: `fd` is an open descriptor owned elsewhere; ManuallyDrop keeps
    // the UnixStream from closing it. FIONBIO works on any descriptor.
    let s = std::mem::ManuallyDrop::new(unsafe { std::os::unix::net::UnixStream::from_raw_fd(fd) });
    s.set_nonblocking(true)
        .expect("set O_NONBLOCK on the pty master");
}

impl Screen {
    pub fn spawn(shell_cmd: &str, cwd: &Path) -> Screen {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows: 40,
                cols: 120,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new("sh");
        cmd.args(["-c", shell_cmd]);
        cmd.cwd(cwd);
        cmd.env("TERM", "xterm-256color");
        cmd.env("TZ", "UTC");
        cmd.env_remove("NO_COLOR");
        let child = pair.slave.spawn_command(cmd).expect("spawn");
        drop(pair.slave);
        // Non-blocking reads let the reader thread give its descriptor back
        // on request, so the master can really be closed (hang_up).
        set_nonblocking(pair.master.as_raw_fd().expect("master fd"));
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = pair.master.take_writer().expect("writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(nonzero(40), nonzero(120), 0)));
        let p = parser.clone();
        let stop_reader = Arc::new(AtomicBool::new(false));
        let stop = stop_reader.clone();
        let handle = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        if let Ok(mut g) = p.lock() {
                            g.process(&buf[..n]);
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        if stop.load(Ordering::SeqCst) {
                            break;
                        }
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    // EIO once every slave descriptor is closed.
                    Err(_) => break,
                }
            }
        });
        Screen {
            parser,
            writer: Some(writer),
            master: Some(pair.master),
            child,
            stop_reader,
            reader: Some(handle),
            pidfiles: Vec::new(),
        }
    }

    pub fn text(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let t = self.text();
            if ok(&t) {
                return t;
            }
            if start.elapsed() > TIMEOUT {
                panic!("timed out waiting for {what}; screen:\n{t}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn wait_gone(&self, needle: &str) -> String {
        self.wait_until(&format!("{needle:?} to go"), |t| !t.contains(needle))
    }

    pub fn wait_for(&self, needle: &str) -> String {
        self.wait_until(&format!("{needle:?}"), |t| t.contains(needle))
    }

    /// Wait until the Gifts panel shows exactly `sent N  diamonds M`.
    pub fn wait_totals(&self, sent: &str, diamonds: &str) -> String {
        let want = format!("sent {sent}  diamonds {diamonds}");
        self.wait_until(&format!("{want:?}"), |t| has_number(t, &want))
    }

    pub fn press(&mut self, keys: &str) {
        let w = self.writer.as_mut().expect("writer");
        w.write_all(keys.as_bytes()).unwrap();
        w.flush().unwrap();
    }

    pub fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    pub fn exit_code(&mut self) -> u32 {
        self.exit_code_within(TIMEOUT)
    }

    pub fn exit_code_within(&mut self, timeout: Duration) -> u32 {
        let start = Instant::now();
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                return st.exit_code();
            }
            if start.elapsed() > timeout {
                let _ = self.child.kill();
                panic!("process did not exit; screen:\n{}", self.text());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Resize the terminal (the pty and the emulator behind it).
    pub fn resize(&self, rows: u16, cols: u16) {
        self.parser
            .lock()
            .unwrap()
            .screen_mut()
            .set_size(nonzero(rows), nonzero(cols));
        self.master
            .as_ref()
            .expect("master")
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize");
    }

    /// Close every descriptor of the pty master: the terminal is gone.
    pub fn hang_up(&mut self) {
        self.stop_reader.store(true, Ordering::SeqCst);
        if let Some(h) = self.reader.take() {
            h.join().unwrap();
        }
        drop(self.writer.take());
        drop(self.master.take());
    }

    /// Remember a pid file whose process must not outlive the test.
    pub fn owns(&mut self, pidfile: PathBuf) {
        self.pidfiles.push(pidfile);
    }

    /// SIGKILL what `owns` remembered (a producer that would otherwise keep
    /// the pipeline, and so the shell, alive).
    pub fn kill_owned(&self) {
        for f in &self.pidfiles {
            if let Some(pid) = read_pid(f)
                && alive(pid)
            {
                let _ = std::process::Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
            }
        }
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        self.kill_owned();
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// `needle` occurs in `text` and is not the start of a longer number.
pub fn has_number(text: &str, needle: &str) -> bool {
    text.match_indices(needle).any(|(i, _)| {
        !text[i + needle.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == ',' || c == '.')
    })
}

pub fn read_pid(file: &Path) -> Option<u32> {
    std::fs::read_to_string(file).ok()?.trim().parse().ok()
}

/// Running (a zombie waiting to be reaped counts as gone).
pub fn alive(pid: u32) -> bool {
    matches!(proc_stat(pid), Some((s, _)) if s != 'Z' && s != 'X')
}

/// (state, utime + stime in clock ticks) from /proc/PID/stat.
pub fn proc_stat(pid: u32) -> Option<(char, u64)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let state = f.first()?.chars().next()?;
    let ticks = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some((state, ticks))
}

/// A terminal dimension for the emulator, which has none of zero.
fn nonzero(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).expect("a terminal is at least 1x1")
}
