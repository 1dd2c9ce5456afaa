// Who is signed in, and how errors reach the user. Shared by the views.

import { ApiError } from "./api.js";
import { toast } from "./dom.js";

// The signed-in account (listAccounts), its role, and for admins the domains it may see.
export const me = { account: null, admin: false, rootAdmin: false, domains: [] };

// Shows an error as CloudStack's error text; an authentication failure signs out.
export function report(err) {
  console.error(err);
  toast(err instanceof ApiError ? err.message : `Unexpected error: ${err.message}`, "error");
  if (err instanceof ApiError && err.status === 401) window.dispatchEvent(new Event("hookshot:signout"));
}
