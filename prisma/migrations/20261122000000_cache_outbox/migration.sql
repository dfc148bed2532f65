-- Invalidations of committed writes, written in the write's own transaction and deleted once the
-- cache has applied them; rows left behind (Redis down, a crash after commit) are replayed.
CREATE TABLE "cache_outbox" (
    "id"         BIGSERIAL PRIMARY KEY,
    "footprint"  JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "attempts"   INTEGER NOT NULL DEFAULT 0
);
