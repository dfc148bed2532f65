import type { ApolloServerPlugin } from "@apollo/server";
import type { Authentication } from "../auth";
import type { Context } from "../context";
import { untrustedMessage, type TrustedDocuments } from "../edge/trusted-documents";
import { UntrustedDocumentError } from "../errors";

/**
 * TRUSTED_DOCUMENTS=require on the executed path (GET included; the HTTP edge checks POST bodies
 * before the whole-response cache): a caller without an editor token runs only a trusted document,
 * and is refused before its APQ registration is stored (Apollo stores it after `didResolveOperation`).
 */
export function trustedDocumentsPlugin(documents: TrustedDocuments): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      if (documents.mode !== "require") return;
      return {
        async didResolveOperation({ queryHash, contextValue }) {
          if (!(await mayRun(documents, contextValue.authentication, queryHash))) throw new UntrustedDocumentError(untrustedMessage);
        },
      };
    },
  };
}

/** Whether a caller with `authentication` may run the document of `queryHash` (also the fast path's check). */
export async function mayRun(documents: TrustedDocuments, authentication: Authentication, queryHash: string): Promise<boolean> {
  return documents.mode !== "require" || isEditor(authentication) || (await documents.isTrusted(queryHash));
}

/** A verified token with the editor (or admin) role: it may send any document, and its APQ registrations are trusted. */
export function isEditor(authentication: Authentication): boolean {
  return authentication.kind === "viewer" && authentication.viewer.roles.some((role) => role === "editor" || role === "admin");
}
