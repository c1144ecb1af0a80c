//! Layer 5: the NBD frontend (newstyle fixed handshake, structured replies, block status).
