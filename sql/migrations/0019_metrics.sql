-- /metrics counts dead deliveries per target on every scrape: a small index keeps that cheap
-- however many deliveries were ever sent.
CREATE INDEX deliveries_dead ON landform.deliveries (target_id) WHERE state = 'dead';
