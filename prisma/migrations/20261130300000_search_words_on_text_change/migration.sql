-- The typo-tolerance vocabulary (search_words) grows from names, brands and category paths. Its
-- UPDATE trigger ran search_words_of (to_tsvector, then a lookup per word) over every updated row,
-- whatever changed: a price or stock write paid for a vocabulary it cannot change (about a quarter
-- of a one-row UPDATE's time here). It now reads only the rows whose name, brand or category path
-- changed, by comparing the statement's old and new rows (still one INSERT per statement).
CREATE FUNCTION products_search_words_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_words (word)
    SELECT DISTINCT w
      FROM new_rows r
      JOIN old_rows o ON o.id = r.id,
           search_words_of(r.name, r.brand, r.category_text) AS w
     WHERE (r.name, r.brand, r.category_text) IS DISTINCT FROM (o.name, o.brand, o.category_text)
       AND NOT EXISTS (SELECT 1 FROM search_words s WHERE s.word = w)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

DROP TRIGGER "products_search_words_update" ON "products";
CREATE TRIGGER "products_search_words_update" AFTER UPDATE ON "products"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION products_search_words_changed();
