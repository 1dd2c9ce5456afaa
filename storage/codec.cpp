#include "storage/codec.hpp"

#include <cstdint>
#include <cstring>

namespace hookshot::storage {
namespace {

// Every value starts with its format byte. Records have a second format: 2 adds the seq of
// the stored event whose body is the payload (then not copied into the record).
constexpr std::uint8_t kVersion = 1;
constexpr std::uint8_t kRecordVersion = 2;

// Appends one value to a string: its own, or the end of one shared with other values.
class writer {
 public:
  explicit writer(size_t expected = 64, std::uint8_t format = kVersion) : writer(own_, expected, format) {}
  writer(std::string& into, size_t expected, std::uint8_t format = kVersion) : out_(into) {
    out_.reserve(out_.size() + expected);
    out_.push_back(static_cast<char>(format));
  }
  template <class T>
  writer& num(T v) {
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    out_.append(b, sizeof(T));
    return *this;
  }
  writer& str(std::string_view s) {
    num(static_cast<std::uint32_t>(s.size()));
    out_ += s;
    return *this;
  }
  std::string take() { return std::move(out_); }

 private:
  std::string own_;
  std::string& out_;
};

class reader {
 public:
  // Accepts formats 1 to `newest`.
  explicit reader(std::string_view in, std::uint8_t newest = kVersion) : in_(in) {
    format_ = in_.empty() ? 0 : static_cast<std::uint8_t>(in_[0]);
    if (format_ < 1 || format_ > newest) ok_ = false;
    pos_ = 1;
  }
  std::uint8_t format() const { return format_; }
  template <class T>
  reader& num(T& v) {
    if (!ok_ || in_.size() - pos_ < sizeof(T)) {
      ok_ = false;
      return *this;
    }
    std::memcpy(&v, in_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return *this;
  }
  reader& str(std::string& s) {
    std::uint32_t n = 0;
    num(n);
    if (!ok_ || in_.size() - pos_ < n) {
      ok_ = false;
      return *this;
    }
    s.assign(in_.data() + pos_, n);
    pos_ += n;
    return *this;
  }
  reader& skip_str() {
    std::uint32_t n = 0;
    num(n);
    if (!ok_ || in_.size() - pos_ < n) ok_ = false;
    else pos_ += n;
    return *this;
  }
  reader& flag(bool& b) {
    std::uint8_t v = 0;
    num(v);
    if (v > 1) ok_ = false;  // exactly 0 or 1: anything else is not a value we wrote
    b = v != 0;
    return *this;
  }
  status finish(const char* what) const {
    if (ok_ && pos_ == in_.size()) return status::ok();
    return status::corruption(std::string("undecodable ") + what + " value");
  }
  // As finish(), for a decode that reads only the value's leading fields.
  status finish_prefix(const char* what) const {
    if (ok_) return status::ok();
    return status::corruption(std::string("undecodable ") + what + " value");
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
  std::uint8_t format_ = 0;
};

}  // namespace

std::string encode(const webhook& w) {
  writer o;
  o.num(w.key).str(w.id).str(w.name).str(w.description).str(w.account_id).str(w.domain_id);
  o.str(w.payload_url).str(w.secret_key).num<std::uint8_t>(w.ssl_verification);
  o.num<std::uint8_t>(static_cast<std::uint8_t>(w.scope_));
  o.num<std::uint8_t>(static_cast<std::uint8_t>(w.state)).num(w.created_ms);
  return o.take();
}

status decode(std::string_view bytes, webhook& w) {
  reader in(bytes);
  std::uint8_t sc = 0, st = 0;
  in.num(w.key).str(w.id).str(w.name).str(w.description).str(w.account_id).str(w.domain_id);
  in.str(w.payload_url).str(w.secret_key).flag(w.ssl_verification).num(sc).num(st);
  in.num(w.created_ms);
  if (sc > 2 || st > 1) return status::corruption("webhook value has a bad scope or state");
  w.scope_ = static_cast<scope>(sc);
  w.state = static_cast<webhook_state>(st);
  return in.finish("webhook");
}

namespace {
void write_event(writer& o, const event& e) {
  o.num(e.seq).str(e.id).str(e.type).str(e.account_id).str(e.domain_id).str(e.body);
  o.num<std::uint8_t>(e.json).num(e.received_ms);
}
size_t event_size(const event& e) {
  return 64 + e.id.size() + e.type.size() + e.account_id.size() + e.domain_id.size() + e.body.size();
}
}  // namespace

std::string encode(const event& e) {
  writer o(event_size(e));
  write_event(o, e);
  return o.take();
}

void encode_into(std::string& out, const event& e) {
  writer o(out, event_size(e));
  write_event(o, e);
}

status decode(std::string_view bytes, event& e) {
  reader in(bytes);
  in.num(e.seq).str(e.id).str(e.type).str(e.account_id).str(e.domain_id).str(e.body);
  in.flag(e.json).num(e.received_ms);
  return in.finish("event");
}

std::string encode(const pending_delivery& p) {
  writer o;
  o.num(p.seq).num(p.webhook_key).num(p.event_seq).num(p.attempts).num(p.due_ms);
  return o.take();
}

status decode(std::string_view bytes, pending_delivery& p) {
  reader in(bytes);
  in.num(p.seq).num(p.webhook_key).num(p.event_seq).num(p.attempts).num(p.due_ms);
  return in.finish("pending delivery");
}

namespace {
void write_record(writer& o, const record_fields& r) {
  o.num(r.seq).str(r.id).num(r.webhook_key).str(r.webhook_id).str(r.webhook_name);
  o.str(r.event_id).str(r.event_type).str(r.management_server_id).str(r.management_server_name);
  o.str(r.account_id).str(r.signature).num<std::uint8_t>(r.json);
  o.num(r.event_seq).str(r.event_seq ? std::string_view() : r.payload);
  o.num<std::uint8_t>(r.success).str(r.response);
  o.num(static_cast<std::int64_t>(r.http_status)).num(r.attempts).num(r.start_ms).num(r.end_ms);
}
size_t record_size(const record_fields& r) {
  return 128 + r.id.size() + r.webhook_id.size() + r.webhook_name.size() + r.event_id.size() +
         r.event_type.size() + r.management_server_id.size() + r.management_server_name.size() +
         r.account_id.size() + r.signature.size() + (r.event_seq ? 0 : r.payload.size()) +
         r.response.size();
}
}  // namespace

std::string encode(const record_fields& r) {
  writer o(record_size(r), kRecordVersion);
  write_record(o, r);
  return o.take();
}

void encode_into(std::string& out, const record_fields& r) {
  writer o(out, record_size(r), kRecordVersion);
  write_record(o, r);
}

record_fields fields_of(const delivery_record& r) {
  record_fields f;
  f.seq = r.seq;
  f.id = r.id;
  f.webhook_key = r.webhook_key;
  f.webhook_id = r.webhook_id;
  f.webhook_name = r.webhook_name;
  f.event_id = r.event_id;
  f.event_type = r.event_type;
  f.management_server_id = r.management_server_id;
  f.management_server_name = r.management_server_name;
  f.account_id = r.account_id;
  f.signature = r.signature;
  f.json = r.json;
  f.event_seq = r.event_seq;
  f.payload = r.payload;
  f.success = r.success;
  f.response = r.response;
  f.http_status = r.http_status;
  f.attempts = r.attempts;
  f.start_ms = r.start_ms;
  f.end_ms = r.end_ms;
  return f;
}

std::string encode(const delivery_record& r) { return encode(fields_of(r)); }

status decode(std::string_view bytes, delivery_record& r) {
  reader in(bytes, kRecordVersion);
  std::int64_t http_status = 0;
  in.num(r.seq).str(r.id).num(r.webhook_key).str(r.webhook_id).str(r.webhook_name);
  in.str(r.event_id).str(r.event_type).str(r.management_server_id).str(r.management_server_name);
  in.str(r.account_id).str(r.signature).flag(r.json);
  r.event_seq = 0;
  if (in.format() >= 2) in.num(r.event_seq);
  in.str(r.payload).flag(r.success).str(r.response);
  in.num(http_status).num(r.attempts).num(r.start_ms).num(r.end_ms);
  r.http_status = static_cast<long>(http_status);
  if (r.event_seq && !r.payload.empty())  // a record naming its event never holds a payload
    return status::corruption("delivery record value names an event and holds a payload");
  return in.finish("delivery record");
}

status decode(std::string_view bytes, record_owner& out) {
  reader in(bytes, kRecordVersion);
  bool json = false;
  in.num(out.seq).skip_str().num(out.webhook_key);
  // webhook id and name, event id and type, management server id and name, account, signature
  for (int i = 0; i < 8; ++i) in.skip_str();
  in.flag(json);
  out.event_seq = 0;
  if (in.format() >= 2) in.num(out.event_seq);
  return in.finish_prefix("delivery record");
}

std::string encode(const webhook_filter& f) {
  writer o;
  o.num(f.key).str(f.id).num(f.webhook_key).num<std::uint8_t>(static_cast<std::uint8_t>(f.mode));
  o.num<std::uint8_t>(static_cast<std::uint8_t>(f.match)).str(f.value).num(f.created_ms);
  return o.take();
}

status decode(std::string_view bytes, webhook_filter& f) {
  reader in(bytes);
  std::uint8_t mode = 0, match = 0;
  in.num(f.key).str(f.id).num(f.webhook_key).num(mode).num(match).str(f.value).num(f.created_ms);
  if (mode > 1 || match > 3) return status::corruption("filter value has a bad mode or match type");
  f.mode = static_cast<filter_mode>(mode);
  f.match = static_cast<match_type>(match);
  return in.finish("filter");
}

}  // namespace hookshot::storage
