//! `forge init`: write a starter contract under contracts/.
use super::args::InitArgs;
use crate::error::Error;

pub fn run(_g: &super::Global, _a: InitArgs) -> Result<u8, Error> {
    todo!("forge init")
}
