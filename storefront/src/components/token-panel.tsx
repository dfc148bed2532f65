import { useState } from "react";
import { activeToken, describeToken, tokens } from "../client";

/**
 * Editor mode: paste a development token (the gateway prints one per role at start outside
 * production, or `npm run token` mints one), or pick one pasted before. Tokens stay in this
 * browser's localStorage; the gateway checks them on every request.
 */
export function TokenPanel({ onClose }: { onClose: () => void }) {
  const saved = tokens.use();
  const active = activeToken.use();
  const [pasted, setPasted] = useState("");

  const use = (token: string) => {
    const described = describeToken(token.trim());
    tokens.set([described, ...saved.filter((t) => t.token !== described.token)].slice(0, 5));
    activeToken.set(described.token);
    setPasted("");
  };
  return (
    <section className="token-panel" aria-labelledby="token-title">
      <h2 id="token-title">Editor mode</h2>
      <form onSubmit={(event) => (event.preventDefault(), pasted.trim() && use(pasted))}>
        <label htmlFor="token-input">Paste a development token</label>
        <textarea id="token-input" name="token" rows={3} value={pasted} onChange={(event) => setPasted(event.target.value)} placeholder="eyJhbGciOi…" />
        <button type="submit" disabled={!pasted.trim()}>
          Use this token
        </button>
      </form>
      {saved.length > 0 && (
        <fieldset>
          <legend>Or pick one</legend>
          {saved.map((t) => (
            <label key={t.token} className="inline">
              <input type="radio" name="picked" checked={t.token === active} onChange={() => activeToken.set(t.token)} /> {t.subject} ({t.roles.join(", ") || "no roles"})
            </label>
          ))}
        </fieldset>
      )}
      <p>
        {active ? `Requests carry ${describeToken(active).subject}'s token.` : "Requests are anonymous."}{" "}
        {active && (
          <button type="button" onClick={() => activeToken.set(null)}>
            Stop using it
          </button>
        )}
      </p>
      <button type="button" onClick={onClose}>
        Close
      </button>
    </section>
  );
}
