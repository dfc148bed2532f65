-- Applied invalidations are kept a while instead of deleted, so that after a Redis failover (a
-- promoted replica may not have received the last DELs and INCRs) the gateway can apply the recent
-- ones again. Pending rows are those not applied yet.
ALTER TABLE "cache_outbox" ADD COLUMN "applied_at" TIMESTAMPTZ(3);
CREATE INDEX "cache_outbox_pending_idx" ON "cache_outbox" ("id") WHERE "applied_at" IS NULL;
CREATE INDEX "cache_outbox_applied_idx" ON "cache_outbox" ("applied_at") WHERE "applied_at" IS NOT NULL;
