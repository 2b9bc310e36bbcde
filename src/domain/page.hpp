#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace m3m::domain {

struct PageRequest {
  int page = 1;      // 1-based
  int perPage = 30;
  std::string search;  // free text; each repository decides which fields it matches

  std::int64_t offset() const { return static_cast<std::int64_t>(page - 1) * perPage; }
};

template <class T>
struct Page {
  std::vector<T> items;
  int page = 1;
  int perPage = 30;
  std::int64_t totalItems = 0;

  std::int64_t totalPages() const { return perPage > 0 ? (totalItems + perPage - 1) / perPage : 0; }
};

}  // namespace m3m::domain
