import { useEffect, useId, useState, type KeyboardEvent } from "react";
import { useQuery } from "urql";
import { AutocompleteDocument } from "../generated/graphql";
import { href, navigate } from "../router";

/** How long typing must pause before a completion is asked for. */
const debounceMs = 200;

/**
 * The search box: completions from `autocomplete` as you type (debounced), in an ARIA combobox:
 * ArrowDown/ArrowUp move through them, Enter searches for the one chosen (or the text typed), Escape closes.
 */
export function SearchBox({ initial = "" }: { initial?: string }) {
  const [text, setText] = useState(initial);
  const [prefix, setPrefix] = useState("");
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const listId = useId();

  useEffect(() => setText(initial), [initial]);
  useEffect(() => {
    const timer = setTimeout(() => setPrefix(text.trim()), debounceMs);
    return () => clearTimeout(timer);
  }, [text]);

  const [{ data }] = useQuery({ query: AutocompleteDocument, variables: { prefix, limit: 8 }, pause: prefix.length < 2, requestPolicy: "cache-first" });
  const suggestions = prefix.length < 2 ? [] : (data?.autocomplete ?? []);
  const expanded = open && suggestions.length > 0;

  const search = (query: string) => {
    if (!query.trim()) return;
    setOpen(false);
    setActive(-1);
    setText(query);
    navigate(href.search(query.trim()));
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "ArrowDown" && suggestions.length) {
      event.preventDefault();
      setOpen(true);
      setActive((i) => (i + 1) % suggestions.length);
    } else if (event.key === "ArrowUp" && suggestions.length) {
      event.preventDefault();
      setOpen(true);
      setActive((i) => (i <= 0 ? suggestions.length - 1 : i - 1));
    } else if (event.key === "Escape") {
      setOpen(false);
      setActive(-1);
    } else if (event.key === "Enter") {
      event.preventDefault();
      search(expanded && active >= 0 ? suggestions[active] : text);
    }
  };

  return (
    <form className="search-box" role="search" onSubmit={(event) => (event.preventDefault(), search(text))}>
      <label htmlFor={`${listId}-input`} className="visually-hidden">
        Search products
      </label>
      <input
        id={`${listId}-input`}
        type="search"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={`${listId}-list`}
        aria-activedescendant={expanded && active >= 0 ? `${listId}-option-${active}` : undefined}
        placeholder="Search products, brands or SKUs"
        autoComplete="off"
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setOpen(true);
          setActive(-1);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onFocus={() => setOpen(true)}
      />
      <button type="submit">Search</button>
      <ul id={`${listId}-list`} role="listbox" className="suggestions" hidden={!expanded} aria-label="Suggestions">
        {suggestions.map((suggestion, i) => (
          <li
            key={suggestion}
            id={`${listId}-option-${i}`}
            role="option"
            aria-selected={i === active}
            className={i === active ? "active" : undefined}
            onMouseDown={(event) => (event.preventDefault(), search(suggestion))}
          >
            {suggestion}
          </li>
        ))}
      </ul>
    </form>
  );
}
