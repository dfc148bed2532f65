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
          if (isEditor(contextValue.authentication)) return;
          if (!(await documents.isTrusted(queryHash))) throw new UntrustedDocumentError(untrustedMessage);
        },
      };
    },
  };
}

/** A verified token with the editor (or admin) role: it may send any document, and its APQ registrations are trusted. */
export function isEditor(authentication: Authentication): boolean {
  return authentication.kind === "viewer" && authentication.viewer.roles.some((role) => role === "editor" || role === "admin");
}
