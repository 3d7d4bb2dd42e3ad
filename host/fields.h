/*
 * Printing response TLVs: each known TLV type has a stable name used both
 * as the human label and as the JSON member (docs/guestctl-json.md).
 */
#ifndef GC_FIELDS_H
#define GC_FIELDS_H

#include <stdint.h>
#include <stdio.h>

#include "json_out.h"
#include "proto.h"

/* Append every known TLV of payload as JSON members of the open object. */
void gc_fields_json(struct gd_json *j, const uint8_t *payload, size_t len);
/* Print every known TLV of payload as "name: value" lines. */
void gc_fields_human(FILE *out, const uint8_t *payload, size_t len);
/* Write capability names joined by sep into out[cap]. */
void gc_caps_text(uint32_t caps, const char *sep, char *out, size_t cap);

#endif
