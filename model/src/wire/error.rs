//! Why a batch could not be read.

/// Why a batch could not be read. Each kind has a stable code for logs and responses.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// The bytes are not zstd.
    #[error("batch is not valid zstd data: {0}")]
    Compression(String),
    /// The body grows past the limit once decompressed (a decompression bomb, or too big).
    #[error("batch decompresses to more than {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body is not the JSON of a batch.
    #[error("batch body is not valid JSON: {0}")]
    Json(String),
    /// A newer agent speaks a version this collector does not know.
    #[error("batch format version {found} is newer than this collector's {supported}")]
    Version {
        /// Version found in the batch.
        found: u32,
        /// Newest version this code reads.
        supported: u32,
    },
    /// The batch contradicts itself (sequence holes, wrong agent, empty…).
    #[error("batch is inconsistent: {0}")]
    Inconsistent(String),
}

impl WireError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        self.msg().key()
    }

    /// The catalogue message (its key is the stable code).
    pub fn msg(&self) -> crate::i18n::Msg {
        use crate::i18n::Msg;
        match self {
            WireError::Compression(_) => Msg::BatchNotZstd,
            WireError::TooLarge { .. } => Msg::BatchTooLarge,
            WireError::Json(_) => Msg::BatchNotJson,
            WireError::Version { .. } => Msg::BatchVersionUnsupported,
            WireError::Inconsistent(_) => Msg::BatchInconsistent,
        }
    }
}
