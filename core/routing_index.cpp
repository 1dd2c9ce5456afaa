#include "core/routing_index.hpp"

#include <algorithm>

namespace hookshot {

void routing_index::erase_key(std::vector<std::uint64_t>& v, std::uint64_t key) {
  auto it = std::find(v.begin(), v.end(), key);
  if (it != v.end()) {
    *it = v.back();
    v.pop_back();
  }
}

void routing_index::remove(std::uint64_t key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  switch (it->second.where) {
    case scope::global:
      erase_key(global_, key);
      break;
    case scope::domain: {
      auto& v = by_domain_[it->second.bucket];
      erase_key(v, key);
      if (v.empty()) by_domain_.erase(it->second.bucket);
      break;
    }
    case scope::local: {
      auto& v = by_account_[it->second.bucket];
      erase_key(v, key);
      if (v.empty()) by_account_.erase(it->second.bucket);
      break;
    }
  }
  entries_.erase(it);
}

void routing_index::upsert(const webhook& w) {
  remove(w.key);
  if (w.state != webhook_state::enabled) return;
  entry e{w.scope_, {}};
  switch (w.scope_) {
    case scope::global:
      global_.push_back(w.key);
      break;
    case scope::domain:
      e.bucket = w.domain_id;
      by_domain_[e.bucket].push_back(w.key);
      break;
    case scope::local:
      e.bucket = w.account_id;
      by_account_[e.bucket].push_back(w.key);
      break;
  }
  entries_.emplace(w.key, std::move(e));
}

std::vector<std::uint64_t> routing_index::match(
    const std::string& account_id, const std::vector<std::string>& domain_ancestors) const {
  std::vector<std::uint64_t> out(global_.begin(), global_.end());
  for (const auto& d : domain_ancestors) {
    auto it = by_domain_.find(d);
    if (it != by_domain_.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  }
  auto it = by_account_.find(account_id);
  if (it != by_account_.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  return out;
}

}  // namespace hookshot
