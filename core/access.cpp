#include "core/access.hpp"

namespace hookshot {

bool can_access(const account& caller, const std::string& account_id, const std::string& domain_id,
                const domain_tree& tree) {
  switch (caller.role) {
    case account_role::admin: return true;
    case account_role::domain_admin: return tree.is_within(domain_id, caller.domain_id);
    case account_role::user: return account_id == caller.id;
  }
  return false;
}

bool can_see_domain(const account& caller, const std::string& domain_id, const domain_tree& tree) {
  switch (caller.role) {
    case account_role::admin: return tree.contains(domain_id);
    case account_role::domain_admin: return tree.is_within(domain_id, caller.domain_id);
    case account_role::user: return domain_id == caller.domain_id;
  }
  return false;
}

}  // namespace hookshot
