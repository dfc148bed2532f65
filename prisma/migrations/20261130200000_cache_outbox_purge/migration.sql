-- A write's CDN purge is a second state of its outbox row: set when the row is written with a purge
-- hook configured, cleared once the purge endpoint accepted the footprint's tags, which is sent
-- only after the invalidation was applied (applied_at). An applied row whose purge is pending is
-- not pruned. See src/cache/outbox.ts.
ALTER TABLE "cache_outbox" ADD COLUMN "purge_pending" BOOLEAN NOT NULL DEFAULT false;
