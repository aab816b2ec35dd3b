use clap::Parser;
use livetally::cli::{Cli, Command};
use livetally::cmd;
use std::io::Write;

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Report(args)) => cmd::report::run(*args),
        Some(Command::Simulate(args)) => cmd::simulate::run_cmd(args),
        None => livetally::ui::run(cli.dash),
    };
    if let Err(e) = result {
        // stderr may be a terminal that is gone: never panic on printing
        let _ = writeln!(std::io::stderr(), "livetally: {}", e.message);
        std::process::exit(e.code);
    }
}
