#include "core/domain_tree.hpp"

#include <algorithm>

namespace hookshot {

result<domain_tree> domain_tree::build(const std::vector<domain>& domains) {
  domain_tree t;
  t.domains_ = domains;
  for (size_t i = 0; i < domains.size(); ++i) {
    if (!t.by_id_.emplace(domains[i].id, i).second)
      return status::invalid_argument("duplicate domain id '" + domains[i].id + "'");
    if (domains[i].parent.empty()) {
      if (!t.root_.empty())
        return status::invalid_argument("domain '" + domains[i].id + "' has no parent, but '" +
                                        t.root_ + "' is already ROOT");
      t.root_ = domains[i].id;
    }
  }
  if (t.root_.empty()) return status::invalid_argument("no ROOT domain (one without a parent)");
  for (const auto& d : domains) {
    std::vector<std::string> chain;
    std::string cur = d.id;
    while (!cur.empty()) {
      if (std::find(chain.begin(), chain.end(), cur) != chain.end())
        return status::invalid_argument("domain '" + d.id + "' is part of a parent cycle");
      auto it = t.by_id_.find(cur);
      if (it == t.by_id_.end())
        return status::invalid_argument("domain '" + chain.back() + "' names unknown parent '" +
                                        cur + "'");
      chain.push_back(cur);
      cur = domains[it->second].parent;
    }
    t.ancestors_.emplace(d.id, std::move(chain));
  }
  return t;
}

const domain* domain_tree::find(const std::string& id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &domains_[it->second];
}

const std::vector<std::string>& domain_tree::ancestors_of(const std::string& id) const {
  static const std::vector<std::string> none;
  auto it = ancestors_.find(id);
  return it == ancestors_.end() ? none : it->second;
}

bool domain_tree::is_within(const std::string& id, const std::string& ancestor) const {
  const auto& chain = ancestors_of(id);
  return std::find(chain.begin(), chain.end(), ancestor) != chain.end();
}

std::string domain_tree::path_of(const std::string& id) const {
  const auto& chain = ancestors_of(id);
  std::string path;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (!path.empty()) path += '/';
    path += find(*it)->name;
  }
  return path;
}

}  // namespace hookshot
