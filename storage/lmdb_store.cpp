#include "storage/lmdb_store.hpp"

#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "storage/codec.hpp"
#include "storage/keys.hpp"

namespace hookshot::storage {
namespace {

const char kSchemaKey[] = "schema_version";
// Pages reserved beyond any bound: the freelist, the main table, a new environment's tables.
constexpr size_t kSlackPages = 64;

MDB_val as_val(std::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}

std::string_view as_view(const MDB_val& v) {
  return std::string_view(static_cast<const char*>(v.mv_data), v.mv_size);
}

// Commits or aborts on scope exit; owns the transaction until then.
class txn_guard {
 public:
  explicit txn_guard(MDB_txn* t) : txn_(t) {}
  ~txn_guard() {
    if (txn_) mdb_txn_abort(txn_);
  }
  MDB_txn* get() const { return txn_; }
  int commit() {
    int rc = mdb_txn_commit(txn_);
    txn_ = nullptr;  // a failed commit frees the transaction too
    return rc;
  }

 private:
  MDB_txn* txn_;
};

// Walks every entry of `dbi`, decoding values into T and handing them to `fn`.
template <class T>
status scan(MDB_txn* txn, MDB_dbi dbi, const std::function<void(T&&)>& fn) {
  MDB_cursor* cur = nullptr;
  int rc = mdb_cursor_open(txn, dbi, &cur);
  if (rc) return lmdb_status("mdb_cursor_open", rc);
  MDB_val k, v;
  status st;
  for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    T item;
    st = decode(as_view(v), item);
    if (!st) break;
    fn(std::move(item));
  }
  mdb_cursor_close(cur);
  if (!st) return st;
  return rc == MDB_NOTFOUND ? status::ok() : lmdb_status("mdb_cursor_get", rc);
}

// The last key of `dbi` decoded as a big-endian u64 prefix, or 0 when empty.
result<std::uint64_t> last_key_prefix(MDB_txn* txn, MDB_dbi dbi) {
  MDB_cursor* cur = nullptr;
  int rc = mdb_cursor_open(txn, dbi, &cur);
  if (rc) return lmdb_status("mdb_cursor_open", rc);
  MDB_val k, v;
  rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
  mdb_cursor_close(cur);
  if (rc == MDB_NOTFOUND) return std::uint64_t{0};
  if (rc) return lmdb_status("mdb_cursor_get", rc);
  std::uint64_t out = 0;
  if (k.mv_size < 8 || !decode_u64(as_view(k).substr(0, 8), out))
    return status::corruption("malformed key");
  return out;
}

}  // namespace

status lmdb_status(const char* call, int rc) {
  std::string msg = std::string("LMDB ") + call + ": " + mdb_strerror(rc);
  if (rc == MDB_MAP_FULL) return status::map_full(msg);
  if (rc == MDB_CORRUPTED || rc == MDB_PAGE_NOTFOUND || rc == MDB_VERSION_MISMATCH ||
      rc == MDB_INVALID)
    return status::corruption(msg);
  return status::io_error(msg);
}

void write_batch::add_event(const event& e) {
  size_t at = bytes.size();
  encode_into(bytes, e);
  new_events.push_back({e.seq, 0, 0, at, bytes.size() - at});
}

void write_batch::add_record(const delivery_record& r) { add_record(fields_of(r)); }

void write_batch::add_record(const record_fields& r) {
  size_t at = bytes.size();
  encode_into(bytes, r);
  records.push_back({r.webhook_key, r.seq, r.event_seq, at, bytes.size() - at});
}

bool write_batch::empty() const {
  bool all_empty = !cleanup_keep;
  for_each_list(*this, [&](const auto& list) { all_empty = all_empty && list.empty(); });
  return all_empty;
}

void write_batch::clear() {
  bytes.clear();
  for_each_list(*this, [](auto& list) { list.clear(); });
  cleanup_keep.reset();
  keep_records = kDefaultKeepRecords;
}

size_t write_batch::capacity_bytes() const {
  size_t total = bytes.capacity();
  for_each_list(*this, [&](const auto& list) { total += list.capacity() * sizeof(list[0]); });
  return total;
}

status lmdb_store::create_env() {
  int rc = mdb_env_create(&env_);
  if (rc) return lmdb_status("mdb_env_create", rc);
  mdb_env_set_maxdbs(env_, 12);
  mdb_env_set_maxreaders(env_, 512);
  return status::ok();
}

status lmdb_store::open_tables(MDB_txn* txn, unsigned flags, const std::string& dir,
                               std::uint64_t& version) {
  struct {
    const char* name;
    MDB_dbi* dbi;
  } dbs[] = {{"meta", &meta_},       {"webhooks", &webhooks_}, {"events", &events_},
             {"pending", &pending_}, {"records", &records_},   {"filters", &filters_}};
  for (auto& db : dbs) {
    int rc = mdb_dbi_open(txn, db.name, flags, db.dbi);
    if (rc == MDB_NOTFOUND)
      return status::corruption("data directory '" + dir + "' has no " + db.name +
                                " table: written by an older hookshot? start hookshot serve on it "
                                "once to upgrade it");
    if (rc) return lmdb_status("mdb_dbi_open", rc);
  }
  std::string key = kSchemaKey;
  MDB_val k = as_val(key), v;
  int rc = mdb_get(txn, meta_, &k, &v);
  version = 0;
  if (rc == MDB_NOTFOUND) return status::ok();
  if (rc) return lmdb_status("mdb_get", rc);
  if (!decode_u64(as_view(v), version)) return status::corruption("unreadable schema version");
  if (version > kSchemaVersion)
    return status::corruption("data directory '" + dir + "' has schema version " +
                              std::to_string(version) + ", newer than this binary's " +
                              std::to_string(kSchemaVersion));
  return status::ok();
}

result<std::unique_ptr<lmdb_store>> lmdb_store::open(const std::string& dir, durability d,
                                                     size_t initial_map_size,
                                                     std::shared_ptr<const secret_box> secrets,
                                                     bool write_map) {
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return status::io_error("cannot create data directory '" + dir + "': " + std::strerror(errno));
  std::unique_ptr<lmdb_store> s(new lmdb_store());
  s->secrets_ = std::move(secrets);
  status st = s->create_env();
  if (!st) return st;
  s->write_map_ = write_map && d == durability::os && disk_reservation::supported(dir);
  // Continue with the size a previous run grew the map to, if larger than the default: at
  // least 1.5 times what the file holds. A writable map leaves the file at the map's size
  // (sparse, so its blocks tell what it holds); keep that size rather than grow it again at
  // every start.
  struct stat sb;
  size_t file_size = 0, file_blocks = 0;
  if (stat((dir + "/data.mdb").c_str(), &sb) == 0) {
    file_size = static_cast<size_t>(sb.st_size);
    file_blocks = std::min(file_size, static_cast<size_t>(sb.st_blocks) * 512);
  }
  s->map_size_ = initial_map_size;
  while (s->map_size_ < file_blocks + (file_blocks >> 1)) s->map_size_ *= 2;
  if (s->write_map_) s->map_size_ = std::max(s->map_size_, file_size);
  int rc = mdb_env_set_mapsize(s->env_, s->map_size_);
  if (rc) return lmdb_status("mdb_env_set_mapsize", rc);
  unsigned flags = MDB_NOTLS | (d == durability::os ? MDB_NOSYNC : 0) |
                   (s->write_map_ ? MDB_WRITEMAP : 0);
  rc = mdb_env_open(s->env_, dir.c_str(), flags, 0600);
  if (rc) return lmdb_status("mdb_env_open", rc);
  MDB_stat env_stat;
  if (mdb_env_stat(s->env_, &env_stat) == 0) s->page_size_ = env_stat.ms_psize;
  if (s->write_map_) {
    int fd = -1;
    rc = mdb_env_get_fd(s->env_, &fd);
    if (rc) return lmdb_status("mdb_env_get_fd", rc);
    s->reservation_ = disk_reservation(fd);
    s->advise_growth();
  }

  // The tables of a new environment and its schema key take a few pages.
  st = s->reserve(kSlackPages);
  if (!st) return st;
  MDB_txn* raw = nullptr;
  rc = mdb_txn_begin(s->env_, nullptr, 0, &raw);
  if (rc) return lmdb_status("mdb_txn_begin", rc);
  txn_guard txn(raw);
  std::uint64_t version = 0;
  st = s->open_tables(raw, MDB_CREATE, dir, version);
  if (!st) return st;
  if (version == 0) {  // a new environment
    std::string key = kSchemaKey, ver = encode_u64(kSchemaVersion);
    MDB_val k = as_val(key), v = as_val(ver);
    rc = mdb_put(raw, s->meta_, &k, &v, 0);
    if (rc) return lmdb_status("mdb_put", rc);
  } else if (version < kSchemaVersion && !(st = s->migrate(raw))) {
    return st;
  }
  // Sealing stored secrets (the first open with a key) rewrites the webhooks table.
  MDB_stat hooks_stat;
  rc = mdb_stat(raw, s->webhooks_, &hooks_stat);
  if (rc) return lmdb_status("mdb_stat", rc);
  st = s->reserve(2 * kSlackPages + 3 * (hooks_stat.ms_branch_pages + hooks_stat.ms_leaf_pages +
                                         hooks_stat.ms_overflow_pages));
  if (!st) return st;
  st = s->init_secrets(raw, dir);
  if (!st) return st;
  // Reference counts: every pending delivery, and every record whose payload is its event,
  // holds one on the event.
  st = scan<pending_delivery>(raw, s->pending_,
                                     [&](pending_delivery&& p) { s->event_refs_.add(p.event_seq, 1); });
  if (!st) return st;
  st = s->index_records(raw);
  if (!st) return st;
  rc = txn.commit();
  if (rc) return lmdb_status("mdb_txn_commit", rc);
  return s;
}

result<std::unique_ptr<lmdb_store>> lmdb_store::open_reader(const std::string& dir) {
  struct stat sb;
  if (stat((dir + "/data.mdb").c_str(), &sb) != 0)
    return status::not_found("no hookshot data in '" + dir + "' (no data.mdb: " +
                             std::strerror(errno) + ")");
  std::unique_ptr<lmdb_store> s(new lmdb_store());
  s->reader_ = true;
  status st = s->create_env();
  if (!st) return st;
  // The map covers what is committed at the open (LMDB raises it to that); a server that
  // grows the file later is followed on the next read (MDB_MAP_RESIZED, see read()).
  int rc = mdb_env_open(s->env_, dir.c_str(), MDB_RDONLY | MDB_NOTLS, 0600);
  if (rc) return lmdb_status("mdb_env_open", rc);
  MDB_envinfo info;
  if (mdb_env_info(s->env_, &info) == 0) s->map_size_ = info.me_mapsize;
  MDB_stat env_stat;
  if (mdb_env_stat(s->env_, &env_stat) == 0) s->page_size_ = env_stat.ms_psize;
  MDB_txn* raw = nullptr;
  rc = mdb_txn_begin(s->env_, nullptr, MDB_RDONLY, &raw);
  if (rc) return lmdb_status("mdb_txn_begin", rc);
  txn_guard txn(raw);
  std::uint64_t version = 0;
  st = s->open_tables(raw, 0, dir, version);
  if (!st) return st;
  if (version != kSchemaVersion)  // older: serve's open migrates it
    return status::corruption("data directory '" + dir + "' has schema version " +
                              std::to_string(version) +
                              ": start hookshot serve on it once to upgrade it to this binary's " +
                              std::to_string(kSchemaVersion));
  rc = txn.commit();  // keeps the table handles
  if (rc) return lmdb_status("mdb_txn_commit", rc);
  return s;
}

namespace {
constexpr char kSecretsCheckKey[] = "secrets_check";
constexpr char kSecretsCheckText[] = "hookshot secrets check";

status put_value(MDB_txn* txn, MDB_dbi dbi, std::string_view key, std::string_view value) {
  MDB_val k = as_val(key), v = as_val(value);
  int rc = mdb_put(txn, dbi, &k, &v, 0);
  return rc ? lmdb_status("mdb_put", rc) : status::ok();
}
}  // namespace

status lmdb_store::init_secrets(MDB_txn* txn, const std::string& dir) {
  std::string key = kSecretsCheckKey;
  MDB_val k = as_val(key), v;
  int rc = mdb_get(txn, meta_, &k, &v);
  if (rc && rc != MDB_NOTFOUND) return lmdb_status("mdb_get", rc);
  if (rc == 0) {
    sealed_ = true;
    if (secrets_ && !secrets_->open(std::string(as_view(v)), key))
      return status::invalid_argument("the secrets key is not the one the data directory '" + dir +
                                      "' was sealed with");
    return status::ok();
  }
  if (!secrets_) return status::ok();  // plaintext data, opened without a key
  // First open with a key: seal every stored secret, in this transaction.
  std::vector<webhook> plain;
  status st = scan<webhook>(txn, webhooks_, [&](webhook&& w) {
    if (!w.secret_key.empty()) plain.push_back(std::move(w));
  });
  if (!st) return st;
  sealed_ = true;
  for (const auto& w : plain) {
    auto value = encode_webhook(w);
    if (!value) return value.error();
    if (!(st = put_value(txn, webhooks_, encode_u64(w.key), *value))) return st;
  }
  return put_value(txn, meta_, key, secrets_->seal(kSecretsCheckText, key));
}

result<std::string> lmdb_store::encode_webhook(const webhook& w) const {
  if (!sealed_ || w.secret_key.empty()) return encode(w);
  if (!secrets_)
    return status::invalid_argument("webhook secrets are sealed; writing needs the secrets key");
  webhook copy = w;
  copy.secret_key = secrets_->seal(w.secret_key, w.id);
  return encode(copy);
}

lmdb_store::~lmdb_store() {
  if (env_) {
    if (!reader_) mdb_env_sync(env_, 1);
    mdb_env_close(env_);
  }
}

template <class F>
status lmdb_store::read(F&& fn, std::shared_mutex* also) const {
  for (;;) {
    {
      std::shared_lock lock(resize_mutex_);
      std::shared_lock<std::shared_mutex> also_lock;
      if (also) also_lock = std::shared_lock(*also);
      MDB_txn* raw = nullptr;
      int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &raw);
      if (rc == 0) {
        txn_guard txn(raw);
        return fn(raw);
      }
      if (rc != MDB_MAP_RESIZED) return lmdb_status("mdb_txn_begin", rc);
    }
    // Another process (the server, when this is an inspecting reader) grew the map: adopt it.
    std::unique_lock lock(resize_mutex_);
    int rc = mdb_env_set_mapsize(env_, 0);
    if (rc) return lmdb_status("mdb_env_set_mapsize", rc);
  }
}

status lmdb_store::grow() {
  std::unique_lock lock(resize_mutex_);
  int rc = mdb_env_set_mapsize(env_, map_size_ * 2);
  if (rc) return lmdb_status("mdb_env_set_mapsize", rc);
  map_size_ *= 2;
  advise_growth();  // a new mapping: the advice went with the old one
  return status::ok();
}

namespace {

// The start of this process's mapping of `fd` that is `size` bytes long, or null. LMDB does
// not tell where it mapped the file (mdb_env_info's me_mapaddr is only for MDB_FIXEDMAP).
char* find_mapping(int fd, size_t size) {
  struct stat sb;
  if (fstat(fd, &sb) != 0) return nullptr;
  std::FILE* maps = std::fopen("/proc/self/maps", "r");
  if (!maps) return nullptr;
  char* found = nullptr;
  char line[4096];
  while (!found && std::fgets(line, sizeof line, maps)) {
    unsigned long start = 0, end = 0, offset = 0, inode = 0;
    unsigned dev_major = 0, dev_minor = 0;
    if (std::sscanf(line, "%lx-%lx %*s %lx %x:%x %lu", &start, &end, &offset, &dev_major,
                    &dev_minor, &inode) == 6 &&
        inode == sb.st_ino && dev_major == major(sb.st_dev) && dev_minor == minor(sb.st_dev) &&
        offset == 0 && end - start == size)
      found = reinterpret_cast<char*>(start);
  }
  std::fclose(maps);
  return found;
}

}  // namespace

void lmdb_store::advise_growth() {
  // A page the file grows by is first touched by a store into the writable map, and the
  // kernel handles that fault as a read of the file: it reads around the page, filling up to
  // the device's readahead window of page cache (8 MiB on the development machine) in large
  // folios. On the development machine's VM that was 70 % of the writer's time while a backlog
  // grew the file (throughput-os); MADV_RANDOM makes each such fault one page (writer 16-18 ->
  // 9-11 us per delivery; docs/benchmarks.md). The price comes after a restart: pages filled
  // one at a time are mapped one fault each, where a large folio was mapped whole, so the
  // recovery benchmark took 3.6 x the minor faults (about 0.5 us per delivery). Only beyond
  // the pages in use: with the whole map advised (MDB_NORDAHEAD), reading the existing data
  // at a restart lost its readahead too, and recovery drained 15-20 % slower. Advice: when it
  // cannot be given, only speed changes. Then the writer populates what it is about to grow
  // into (populate_ahead).
  if (!write_map_) return;
  auto pages = pages_in_use();
  char* map = find_mapping(reservation_.fd(), map_size_);
  map_ = map;
  populated_ = 0;  // a new mapping: nothing in it is populated yet
  if (!pages || !map) return;
  size_t os_page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size_t used = (*pages * page_size_ + os_page - 1) / os_page * os_page;
  if (used < map_size_) madvise(map + used, map_size_ - used, MADV_RANDOM);
}

result<size_t> lmdb_store::pages_in_use() const {
  MDB_envinfo info;
  int rc = mdb_env_info(env_, &info);
  if (rc) return lmdb_status("mdb_env_info", rc);
  return static_cast<size_t>(info.me_last_pgno) + 1;
}

result<size_t> lmdb_store::bytes_in_use() const {
  auto pages = pages_in_use();
  if (!pages) return pages.error();
  return *pages * page_size_;
}

status lmdb_store::reserve(size_t pages) {
  if (!write_map_) return status::ok();
  auto used = pages_in_use();
  if (!used) return used.error();
  status st = reservation_.ensure((*used + pages) * page_size_, map_size_);
  if (st) populate_ahead(*used * page_size_);
  return st;
}

void lmdb_store::populate_ahead(size_t used_bytes) {
  // The pages just beyond those in use are the next ones a transaction writes as the file
  // grows. Their first touch through the map is a write fault each (ext4 marks the page
  // dirty and maps it); on the AMD EPYC machine type, a paravirtualized guest, 11.5 us of the
  // writer's CPU per page. Populated ahead, a range at a time in one call, they cost
  // 1.6 us a page there and the first store 4.4 (the guest maps each page in on first use):
  // the os writer 6.7 -> 5.0 us per delivery while a backlog grew the file (throughput-os,
  // docs/benchmarks.md). At most kPopulateAhead beyond the pages in use, within what the
  // reservation backs; a kernel without MADV_POPULATE_WRITE (before 5.14) leaves it to faults.
  if (!map_ || !populate_works_ || used_bytes + kPopulateAhead <= populated_ + kPopulateStep) return;
  size_t from = std::max(populated_, used_bytes);
  size_t to = std::min(reservation_.reserved(), used_bytes + kPopulateAhead);
  if (to <= from) return;
  if (madvise(map_ + from, to - from, MADV_POPULATE_WRITE) != 0 && errno == EINVAL)
    populate_works_ = false;
  populated_ = to;
}

// What a transaction can allocate (LMDB 0.9, keys of at most 16 bytes in every table that
// grows beyond one page, no duplicate keys):
// - copies (copy on write): every page it changes that an earlier transaction wrote is copied
//   once, however often it changes it afterwards. An operation changes one leaf, or two when a
//   delete rebalances it with a neighbour, and the branches above them: at most 2 leaves per
//   operation, and never more than the tables hold (leaves, branches, the free list's and the
//   main table's pages). Deleting a webhook or cleaning every log walks whole tables: every
//   page of them may be copied.
// - splits: an insert adds at most one leaf (a node is at most half a page, so one split
//   makes room for it), and the separator it adds to the branch above may split that branch,
//   which with 16-byte keys holds at least 150: a branch split per 64 inserts below it at
//   most, or one per branch already full, and a new root per tree and level.
// - values too big for a leaf take pages of their own.
// - the free list takes the slack: each record it saves lists up to 512 freed pages a page.
// Counting every operation as an insert, that is about 3 pages an operation in a store much
// larger than the transaction, and 1 an operation plus the store's own pages in a small one
// (the bound before counted 2 x (depth + 1) an operation, 8 at depth 3, and held a soak's
// file at 96 MB of blocks for 2 MB of pages). Most of what a transaction takes comes from the
// pages earlier ones freed, but reserve() must back all of it with blocks.
size_t lmdb_store::pages_bound(MDB_txn* txn, const std::vector<const write_batch*>& group,
                               size_t sweep_keys) const {
  size_t depth = 1, leaves = 0, branches = 0, others = 0;
  for (MDB_dbi dbi : {webhooks_, events_, pending_, records_, filters_}) {
    MDB_stat ms;
    if (mdb_stat(txn, dbi, &ms) != 0) continue;
    depth = std::max<size_t>(depth, ms.ms_depth);
    leaves += ms.ms_leaf_pages;
    branches += ms.ms_branch_pages;
    others += ms.ms_overflow_pages;
  }
  for (MDB_dbi dbi : {MDB_dbi{0}, MDB_dbi{1}, meta_}) {  // the free list, the main table, meta
    MDB_stat ms;
    if (mdb_stat(txn, dbi, &ms) != 0) continue;
    others += ms.ms_branch_pages + ms.ms_leaf_pages + ms.ms_overflow_pages;
  }
  size_t ops = 0, value_pages = 0;
  bool walks_tables = false;
  for (const write_batch* b : group) {
    for (const auto& e : b->new_events) value_pages += e.size / page_size_ + 1;
    for (const auto& r : b->records) value_pages += r.size / page_size_ + 1;
    ops += b->webhooks.size() + b->new_events.size() + b->new_pendings.size() +
           b->updated_pendings.size() + 2 * b->finished_pendings.size() + 5 * b->records.size() +
           3 * b->removed_records.size() + b->filters.size() + b->removed_filters.size();
    walks_tables = walks_tables || !b->removed_webhooks.empty() || b->cleanup_keep.has_value();
  }
  ops += sweep_keys;  // the sweep deletes at most that many events
  const size_t existing = leaves + branches + others;
  const size_t copies = walks_tables ? existing : std::min(2 * ops, leaves) + branches + others;
  const size_t trees = 8;  // the five tables, meta, the main table and the free list
  const size_t splits = ops + ops / 64 + branches + trees * (depth + 2);
  return kSlackPages + ops / 64 + existing / 256 + copies + splits + value_pages;
}

status lmdb_store::write(const std::vector<const write_batch*>& group) {
  if (reader_) return status::invalid_argument("storage opened to read only (open_reader)");
  const size_t sweep_keys = sweep_budget(group);
  for (;;) {
    ref_undo_.clear();
    staged_logs_.clear();
    doomed_pendings_.clear();
    doomed_records_.clear();
    status st;
    std::uint64_t sweep_next = sweep_from_;
    {
      std::shared_lock lock(resize_mutex_);
      MDB_txn* raw = nullptr;
      int rc = mdb_txn_begin(env_, nullptr, 0, &raw);
      if (rc) return lmdb_status("mdb_txn_begin", rc);
      txn_guard txn(raw);
      // Nothing is written before every page the group could add is backed by the disk.
      if (write_map_ && !(st = reserve(pages_bound(raw, group, sweep_keys)))) return st;
      // A webhook's log keeps its newest `keep_records`: of the records this group appends to
      // one log, only the newest that many are written at all (under load nearly every record
      // would otherwise be written and trimmed in the same transaction), and each log is
      // trimmed once.
      record_plans& plans = plans_;
      plans.clear();
      for (const write_batch* b : group)
        for (const auto& r : b->records) {
          record_plan& p = plans[r.key];
          ++p.total;
          p.keep = b->keep_records;
        }
      kept_records& kept = kept_;
      kept.clear();
      for (const write_batch* b : group) {
        st = apply(raw, *b, plans, kept);
        if (!st) break;
      }
      if (st) st = append_records(raw, kept);
      if (st)
        for (const auto& [webhook_key, plan] : plans) trim(webhook_key, plan.keep);
      if (st) st = delete_sorted(raw, pending_, doomed_pendings_);
      if (st) st = delete_sorted(raw, records_, doomed_records_);
      if (st) st = sweep_events(raw, sweep_keys, sweep_next);
      if (st) {
        // The logs readers see change with the commit, never apart from it.
        std::unique_lock logs_lock(logs_mutex_);
        rc = txn.commit();
        if (rc) st = lmdb_status("mdb_txn_commit", rc);
        else publish_logs();
      }
    }
    if (st) {
      sweep_from_ = sweep_next;
      return st;
    }
    // Nothing was written: undo the reference counts, newest change first.
    for (auto it = ref_undo_.rbegin(); it != ref_undo_.rend(); ++it) event_refs_.add(it->first, -it->second);
    ref_undo_.clear();
    if (st.error_code() != status::code::map_full) return st;
    status g = grow();
    if (!g) return g;
  }
}

void lmdb_store::take_ref(std::uint64_t event_seq) {
  event_refs_.add(event_seq, 1);
  ref_undo_.emplace_back(event_seq, 1);
}

void lmdb_store::drop_ref(std::uint64_t event_seq) {
  event_refs_.add(event_seq, -1);
  ref_undo_.emplace_back(event_seq, -1);
}

size_t lmdb_store::sweep_budget(const std::vector<const write_batch*>& group) {
  // Each finished delivery and each record (by trimming an older one) releases at most one
  // event; twice that keeps the sweep ahead of the releases across a table full of live ones.
  size_t releases = 0;
  for (const write_batch* b : group)
    releases += b->finished_pendings.size() + b->records.size() + b->removed_records.size();
  return kSweepKeys + 2 * releases;
}

status lmdb_store::sweep_events(MDB_txn* txn, size_t budget, std::uint64_t& from) {
  // Events nobody names are deleted by this sweep, in key order, not as their last reference
  // goes: references go in the order deliveries finish and logs trim, scattered over many
  // pages, and each page that loses one event but keeps others is rewritten (about half of a
  // synced commit's write calls). Released events lie mostly in runs, so the sweep frees whole
  // pages, which cost no write. It also collects events a crash left unreferenced.
  MDB_cursor* cur = nullptr;
  int rc = mdb_cursor_open(txn, events_, &cur);
  if (rc) return lmdb_status("mdb_cursor_open", rc);
  std::string start = encode_u64(from);
  MDB_val k = as_val(start), v;
  rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
  std::uint64_t seq = 0, resume = from;
  // A run of named events (a backlog's pending ones are one long run) is stepped over in
  // event_refs_, an array, and counted against the budget as if walked: the sweep goes round
  // the table as often as before and frees the same pages, without a cursor step per named
  // event (perf, throughput-fsync: those steps were 13 % of the writer's samples).
  for (size_t seen = 0; rc == 0 && seen < budget;) {
    if (!decode_u64(as_view(k), seq)) {
      mdb_cursor_close(cur);
      return status::corruption("an event with a malformed key");
    }
    resume = seq + 1;
    std::uint64_t next = resume;  // the first event the walk has not passed
    if (!event_refs_.contains(seq)) {
      // Deleted where the walk stands, without a second descent from the root; the cursor
      // then stands on the next event, which MDB_NEXT returns.
      if ((rc = mdb_cursor_del(cur, 0)) != 0) {
        mdb_cursor_close(cur);
        return lmdb_status("mdb_cursor_del", rc);
      }
    } else {
      next = event_refs_.first_unnamed(seq + 1, seq + (budget - seen));
    }
    if (next - seq <= kSweepStep) {  // the next event, or a short run: walked
      ++seen;
      rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
      continue;
    }
    seen += next - seq;  // a long run: counted as walked, passed with one descent
    resume = next;
    start = encode_u64(next);
    k = as_val(start);
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
  }
  mdb_cursor_close(cur);
  if (rc != 0 && rc != MDB_NOTFOUND) return lmdb_status("mdb_cursor_get", rc);
  from = rc == MDB_NOTFOUND ? 0 : resume;  // at the end: start again from the oldest
  return status::ok();
}

status lmdb_store::read_logs(MDB_txn* txn, log_index& logs) const {
  // The records table is in seq order, so each log comes out oldest first.
  return scan<record_owner>(txn, records_, [&](record_owner&& r) {
    logs[r.webhook_key].push_back({r.seq, r.event_seq});
  });
}

status lmdb_store::index_records(MDB_txn* txn) {
  status st = read_logs(txn, logs_);
  for (const auto& [webhook_key, log] : logs_)
    for (const log_entry& e : log)
      if (e.event_seq) event_refs_.add(e.event_seq, 1);
  return st;
}

lmdb_store::record_log& lmdb_store::staged_log(std::uint64_t webhook_key) {
  auto [it, added] = staged_logs_.try_emplace(webhook_key);
  if (added)
    if (auto committed = logs_.find(webhook_key); committed != logs_.end())
      it->second = committed->second;
  return it->second;
}

void lmdb_store::publish_logs() {
  for (auto& [key, log] : staged_logs_) {
    if (log.empty()) logs_.erase(key);
    else logs_[key].swap(log);
  }
  staged_logs_.clear();
}

status lmdb_store::apply(MDB_txn* txn, const write_batch& b, record_plans& plans,
                         kept_records& kept) {
  auto put = [&](MDB_dbi dbi, std::string_view key, std::string_view value) {
    return put_value(txn, dbi, key, value);
  };
  auto del = [&](MDB_dbi dbi, std::string_view key) {
    MDB_val k = as_val(key);
    int rc = mdb_del(txn, dbi, &k, nullptr);
    return rc && rc != MDB_NOTFOUND ? lmdb_status("mdb_del", rc) : status::ok();
  };
  status st;
  for (const auto& w : b.webhooks) {
    auto value = encode_webhook(w);
    if (!value) return value.error();
    if (!(st = put(webhooks_, encode_u64(w.key), *value))) return st;
  }
  // New events and pending deliveries have ever-growing keys: append them, so full pages stay
  // full (an insert that splits a page otherwise leaves two half-empty ones behind, and the
  // tables would take twice the pages to write). A key that is not the largest (a batch
  // retried alone after a failed group) is put the ordinary way.
  auto append = [&](MDB_dbi dbi, const std::string& key, std::string_view value) {
    MDB_val k = as_val(key), v = as_val(value);
    int rc = mdb_put(txn, dbi, &k, &v, MDB_APPEND);
    if (rc == MDB_KEYEXIST) rc = mdb_put(txn, dbi, &k, &v, 0);
    return rc ? lmdb_status("mdb_put", rc) : status::ok();
  };
  for (const auto& e : b.new_events)
    if (!(st = append(events_, encode_u64(e.key), b.value_of(e)))) return st;
  for (const auto& p : b.new_pendings) {
    if (!(st = append(pending_, encode_u64(p.seq), encode(p)))) return st;
    take_ref(p.event_seq);
  }
  for (const auto& p : b.updated_pendings)
    if (!(st = put(pending_, encode_u64(p.seq), encode(p)))) return st;
  for (const auto& p : b.finished_pendings) doomed_pendings_.emplace_back(p.seq, p.event_seq);
  for (const auto& r : b.records) {
    record_plan& p = plans[r.key];
    bool among_newest = p.seen++ + std::min(p.total, p.keep) >= p.total;
    if (!among_newest) continue;
    // Each log stays in seq order (a producer's records usually arrive in it).
    record_log& log = staged_log(r.key);
    auto at =
        std::find_if(log.rbegin(), log.rend(), [&](const log_entry& e) { return e.seq < r.seq; });
    log.insert(at.base(), log_entry{r.seq, r.event_seq});
    if (r.event_seq) take_ref(r.event_seq);
    kept.emplace_back(r.seq, b.value_of(r));  // appended in seq order after the group
  }
  for (const auto& [webhook_key, seq] : b.removed_records) {
    record_log& log = staged_log(webhook_key);
    auto it = std::find_if(log.begin(), log.end(),
                           [seq = seq](const log_entry& e) { return e.seq == seq; });
    if (it == log.end()) continue;  // already gone
    doomed_records_.emplace_back(seq, 0);  // the log holds its reference
    if (it->event_seq) drop_ref(it->event_seq);
    log.erase(it);
  }
  for (const auto& f : b.filters)
    if (!(st = put(filters_, encode_pair(f.webhook_key, f.key), encode(f)))) return st;
  for (const auto& [webhook_key, key] : b.removed_filters)
    if (!(st = del(filters_, encode_pair(webhook_key, key)))) return st;
  for (std::uint64_t key : b.removed_webhooks) {
    if (!(st = del(webhooks_, encode_u64(key)))) return st;
    trim(key, 0);
    std::vector<std::pair<std::uint64_t, std::uint64_t>> gone;
    status fs = scan<webhook_filter>(txn, filters_, [&](webhook_filter&& f) {
      if (f.webhook_key == key) gone.emplace_back(f.webhook_key, f.key);
    });
    if (!fs) return fs;
    for (const auto& [wk, fk] : gone)
      if (!(st = del(filters_, encode_pair(wk, fk)))) return st;
  }
  if (b.cleanup_keep && !(st = cleanup(txn, *b.cleanup_keep))) return st;
  return status::ok();
}

status lmdb_store::append_records(MDB_txn* txn, kept_records& kept) {
  // Record seqs come from many actors, so a group's records are not in seq order until sorted;
  // in order, every one is appended to the last page of the table.
  std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [seq, value] : kept) {
    std::string key = encode_u64(seq);
    MDB_val k = as_val(key), v = as_val(value);
    int rc = mdb_put(txn, records_, &k, &v, MDB_APPEND);
    if (rc == MDB_KEYEXIST) rc = mdb_put(txn, records_, &k, &v, 0);  // not the largest seq
    if (rc) return lmdb_status("mdb_put", rc);
  }
  return status::ok();
}

void lmdb_store::trim(std::uint64_t webhook_key, std::uint32_t keep) {
  // The log's oldest records beyond the newest `keep` go, with their events' references.
  record_log& log = staged_log(webhook_key);
  if (log.size() <= keep) return;
  size_t gone = log.size() - keep;
  for (size_t i = 0; i < gone; ++i) {
    doomed_records_.emplace_back(log[i].seq, 0);
    if (log[i].event_seq) drop_ref(log[i].event_seq);
  }
  log.erase(log.begin(), log.begin() + static_cast<std::ptrdiff_t>(gone));
}

status lmdb_store::delete_sorted(MDB_txn* txn, MDB_dbi dbi, doomed_keys& doomed) {
  if (doomed.empty()) return status::ok();
  std::sort(doomed.begin(), doomed.end());
  MDB_cursor* cur = nullptr;
  int rc = mdb_cursor_open(txn, dbi, &cur);
  if (rc) return lmdb_status("mdb_cursor_open", rc);
  status st;
  for (const auto& [seq, event_seq] : doomed) {
    std::string key = encode_u64(seq);
    MDB_val k = as_val(key), v;
    // A positioned cursor looks for the key on its own page before descending from the root.
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET);
    if (rc == MDB_NOTFOUND) continue;  // gone already
    if (rc) st = lmdb_status("mdb_cursor_get", rc);
    else if ((rc = mdb_cursor_del(cur, 0)) != 0) st = lmdb_status("mdb_cursor_del", rc);
    if (!st) break;
    if (event_seq) drop_ref(event_seq);
  }
  mdb_cursor_close(cur);
  doomed.clear();
  return st;
}

status lmdb_store::migrate(MDB_txn* txn) {
  // Schema 1 kept records in one table keyed by webhook key ‖ record seq, so every commit
  // rewrote one page per webhook it delivered for. Schema 2 appends them by seq and keeps
  // that key order in a small index.
  MDB_dbi old = 0;
  int rc = mdb_dbi_open(txn, "deliveries", 0, &old);
  if (rc == 0) {
    MDB_stat ms;
    rc = mdb_stat(txn, old, &ms);
    if (rc) return lmdb_status("mdb_stat", rc);
    status st = reserve(kSlackPages + 3 * (ms.ms_branch_pages + ms.ms_leaf_pages + ms.ms_overflow_pages));
    if (!st) return st;
    MDB_cursor* cur = nullptr;
    rc = mdb_cursor_open(txn, old, &cur);
    if (rc) return lmdb_status("mdb_cursor_open", rc);
    MDB_val k, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
      std::uint64_t wk = 0, seq = 0;
      if (!decode_pair(as_view(k), wk, seq)) {
        mdb_cursor_close(cur);
        return status::corruption("a delivery record with a malformed key");
      }
      if (!(st = put_value(txn, records_, encode_u64(seq), as_view(v)))) {
        mdb_cursor_close(cur);
        return st;
      }
    }
    mdb_cursor_close(cur);
    if (rc != MDB_NOTFOUND) return lmdb_status("mdb_cursor_get", rc);
    rc = mdb_drop(txn, old, 1);
    if (rc) return lmdb_status("mdb_drop", rc);
  } else if (rc != MDB_NOTFOUND) {
    return lmdb_status("mdb_dbi_open", rc);
  }
  // Schemas 2 and 3 kept the logs' index in a table of its own.
  MDB_dbi index = 0;
  rc = mdb_dbi_open(txn, "record_index", 0, &index);
  if (rc == 0) {
    rc = mdb_drop(txn, index, 1);
    if (rc) return lmdb_status("mdb_drop", rc);
  } else if (rc != MDB_NOTFOUND) {
    return lmdb_status("mdb_dbi_open", rc);
  }
  return put_value(txn, meta_, kSchemaKey, encode_u64(kSchemaVersion));
}

status lmdb_store::cleanup(MDB_txn* txn, std::uint32_t keep) {
  // Keep the newest `keep` records of every webhook, and none of a webhook that is gone.
  std::vector<std::uint64_t> owners;
  for (const auto& [key, log] : logs_) owners.push_back(key);
  for (const auto& [key, log] : staged_logs_) owners.push_back(key);
  std::sort(owners.begin(), owners.end());
  owners.erase(std::unique(owners.begin(), owners.end()), owners.end());
  for (std::uint64_t wk : owners) {
    std::string key = encode_u64(wk);
    MDB_val wkv = as_val(key), wv;
    bool exists = mdb_get(txn, webhooks_, &wkv, &wv) == 0;
    trim(wk, exists ? keep : 0);
  }
  return status::ok();
}

status lmdb_store::for_each_webhook(const std::function<void(webhook&&)>& fn) const {
  return read([&](MDB_txn* t) {
    status opened;
    status st = scan<webhook>(t, webhooks_, [&](webhook&& w) {
      if (sealed_ && !w.secret_key.empty()) {
        auto plain = secrets_ ? secrets_->open(w.secret_key, w.id) : result<std::string>(std::string());
        if (!plain && opened) opened = status::corruption("webhook " + w.id + ": " + plain.error().message());
        w.secret_key = plain ? *plain : std::string();
      }
      fn(std::move(w));
    });
    return st ? opened : st;
  });
}

status lmdb_store::for_each_pending(const std::function<void(pending_delivery&&)>& fn) const {
  return read([&](MDB_txn* t) { return scan<pending_delivery>(t, pending_, fn); });
}

status lmdb_store::for_each_filter(const std::function<void(webhook_filter&&)>& fn) const {
  return read([&](MDB_txn* t) { return scan<webhook_filter>(t, filters_, fn); });
}

status lmdb_store::for_each_event(const std::function<void(event&&)>& fn) const {
  return read([&](MDB_txn* t) { return scan<event>(t, events_, fn); });
}

result<event> lmdb_store::get_event(std::uint64_t seq) const {
  event out;
  status st = read([&](MDB_txn* t) {
    std::string key = encode_u64(seq);
    MDB_val k = as_val(key), v;
    int rc = mdb_get(t, events_, &k, &v);
    if (rc == MDB_NOTFOUND) return status::not_found("event " + std::to_string(seq) + " is not stored");
    if (rc) return lmdb_status("mdb_get", rc);
    return decode(as_view(v), out);
  });
  if (!st) return st;
  return out;
}

status lmdb_store::read_payload(MDB_txn* txn, delivery_record& r) const {
  std::string key = encode_u64(r.event_seq);
  MDB_val k = as_val(key), v;
  int rc = mdb_get(txn, events_, &k, &v);
  if (rc == MDB_NOTFOUND)
    return status::corruption("delivery record " + std::to_string(r.seq) + " names event " +
                              std::to_string(r.event_seq) + ", which is not stored");
  if (rc) return lmdb_status("mdb_get", rc);
  event e;
  status st = decode(as_view(v), e);
  if (!st) return st;
  r.payload = std::move(e.body);
  return status::ok();
}

status lmdb_store::read_newest(MDB_txn* txn, const record_log& log, size_t limit,
                               std::vector<delivery_record>& out) const {
  for (auto e = log.rbegin(); e != log.rend() && out.size() < limit; ++e) {
    std::string key = encode_u64(e->seq);
    MDB_val k = as_val(key), v;
    int rc = mdb_get(txn, records_, &k, &v);
    if (rc == MDB_NOTFOUND)
      return status::corruption("delivery record " + std::to_string(e->seq) + " is indexed but not stored");
    if (rc) return lmdb_status("mdb_get", rc);
    delivery_record r;
    status s = decode(as_view(v), r);
    if (s && r.event_seq) s = read_payload(txn, r);
    if (!s) return s;
    out.push_back(std::move(r));
  }
  return status::ok();
}

result<std::vector<delivery_record>> lmdb_store::recent_deliveries(std::uint64_t webhook_key,
                                                                   size_t limit) const {
  std::vector<delivery_record> out;
  // The index and the transaction's snapshot are of the same commit: the writer commits and
  // publishes the logs under logs_mutex_, held shared here from before the transaction began.
  status st = read(
      [&](MDB_txn* t) {
        auto it = logs_.find(webhook_key);
        return it == logs_.end() ? status::ok() : read_newest(t, it->second, limit, out);
      },
      &logs_mutex_);
  if (!st) return st;
  return out;
}

result<std::map<std::uint64_t, std::vector<delivery_record>>> lmdb_store::recent_deliveries_at_snapshot(
    size_t limit) const {
  std::map<std::uint64_t, std::vector<delivery_record>> out;
  status st = read([&](MDB_txn* t) {
    log_index logs;  // as this snapshot holds them
    status s = read_logs(t, logs);
    for (auto it = logs.begin(); s && it != logs.end(); ++it)
      s = read_newest(t, it->second, limit, out[it->first]);
    return s;
  });
  if (!st) return st;
  return out;
}

result<lmdb_store::table_size> lmdb_store::size_of(table which) const {
  // The delivery log is its records (its index is in memory); entries count the records.
  std::vector<MDB_dbi> dbis;
  if (which == table::events) dbis = {events_};
  else if (which == table::pending) dbis = {pending_};
  else dbis = {records_};
  table_size out;
  status st = read([&](MDB_txn* t) {
    for (size_t i = 0; i < dbis.size(); ++i) {
      MDB_stat ms;
      int rc = mdb_stat(t, dbis[i], &ms);
      if (rc) return lmdb_status("mdb_stat", rc);
      if (i == 0) out.records = ms.ms_entries;
      out.bytes += (ms.ms_branch_pages + ms.ms_leaf_pages + ms.ms_overflow_pages) * ms.ms_psize;
    }
    return status::ok();
  });
  if (!st) return st;
  return out;
}

result<counters> lmdb_store::load_counters() const {
  counters c;
  status st = read([&](MDB_txn* t) {
    auto ev = last_key_prefix(t, events_);
    auto pe = last_key_prefix(t, pending_);
    auto wh = last_key_prefix(t, webhooks_);
    if (!ev) return ev.error();
    if (!pe) return pe.error();
    if (!wh) return wh.error();
    c.next_event_seq = *ev + 1;
    c.next_pending_seq = *pe + 1;
    c.next_webhook_key = *wh + 1;
    auto rec = last_key_prefix(t, records_);
    if (!rec) return rec.error();
    c.next_record_seq = *rec + 1;
    std::uint64_t max_filter = 0;
    status fs = scan<webhook_filter>(t, filters_, [&](webhook_filter&& f) { max_filter = std::max(max_filter, f.key); });
    if (!fs) return fs;
    c.next_filter_key = max_filter + 1;
    return status::ok();
  });
  if (!st) return st;
  return c;
}

}  // namespace hookshot::storage
