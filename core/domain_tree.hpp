#pragma once

// The domain hierarchy: one ROOT, every other domain has a parent.

#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.hpp"
#include "core/webhook.hpp"

namespace hookshot {

/// Immutable after build(). Thread safety: const methods are safe from any thread.
class domain_tree {
 public:
  /// Builds the tree. Fails (naming the domain) on a duplicate id, an unknown parent, a cycle,
  /// or a number of roots other than one.
  static result<domain_tree> build(const std::vector<domain>& domains);

  bool contains(const std::string& id) const { return by_id_.count(id) != 0; }
  const domain* find(const std::string& id) const;
  const std::string& root_id() const { return root_; }

  /// The domain itself followed by its parent, grandparent, ... up to ROOT. Empty when unknown.
  const std::vector<std::string>& ancestors_of(const std::string& id) const;

  /// True when `id` is `ancestor` or lies anywhere below it.
  bool is_within(const std::string& id, const std::string& ancestor) const;

  /// "ROOT/child/grandchild", as CloudStack shows a domain path.
  std::string path_of(const std::string& id) const;

  const std::vector<domain>& all() const { return domains_; }

 private:
  std::vector<domain> domains_;
  std::unordered_map<std::string, size_t> by_id_;
  std::unordered_map<std::string, std::vector<std::string>> ancestors_;
  std::string root_;
};

}  // namespace hookshot
