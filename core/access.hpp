#pragma once

// Who may see and manage what, as CloudStack decides it (spec section 4): a root admin
// everything; a domain admin the accounts of its domain and every subdomain; a user its own
// account.

#include "core/domain_tree.hpp"
#include "core/webhook.hpp"

namespace hookshot {

/// An Admin account (CloudStack's root-admin account type).
inline bool is_root_admin(const account& a) { return a.role == account_role::admin; }
inline bool is_admin(const account& a) { return a.role != account_role::user; }

/// True when `caller` may see or manage resources owned by an account in `domain_id` with
/// uuid `account_id`.
bool can_access(const account& caller, const std::string& account_id, const std::string& domain_id,
                const domain_tree& tree);

/// True when `caller` may see domain `domain_id` (root admin: all; others: their own domain
/// and, for domain admins, its subdomains).
bool can_see_domain(const account& caller, const std::string& domain_id, const domain_tree& tree);

}  // namespace hookshot
