use clap::Parser;
use livetally::cli::{Cli, Command};
use livetally::cmd;

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Report(args)) => cmd::report::run(*args),
        Some(Command::Simulate(args)) => cmd::simulate::run_cmd(args),
        None => livetally::ui::run(cli.dash),
    };
    if let Err(e) = result {
        eprintln!("livetally: {}", e.message);
        std::process::exit(e.code);
    }
}
