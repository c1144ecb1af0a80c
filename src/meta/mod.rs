//! Layer 2: the volume-group model, allocation, validation and metadata transactions.

pub mod model;
