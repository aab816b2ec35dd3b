//! The commands: the dashboard (default), `report` and `simulate`.

pub mod options;
pub mod report;
pub mod simulate;

/// An error that ends the program with a message and an exit code:
/// 1 runtime failure, 2 usage or input error.
#[derive(Debug)]
pub struct Exit {
    pub code: i32,
    pub message: String,
}

impl Exit {
    pub fn usage(message: impl Into<String>) -> Exit {
        Exit {
            code: 2,
            message: message.into(),
        }
    }

    pub fn runtime(message: impl Into<String>) -> Exit {
        Exit {
            code: 1,
            message: message.into(),
        }
    }
}
