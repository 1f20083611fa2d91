#include "daemon/status/dashboard_page.hpp"

namespace sluice::daemon::status {

namespace {
constexpr std::string_view kPage = R"HTML(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>sluiced</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
h1{font-size:1.3em;margin:0 0 .3em}
#summary{display:flex;flex-wrap:wrap;gap:.6em;margin:.8em 0}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.5em .9em;min-width:7em}
.card b{display:block;font-size:1.3em}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid #e4e4e4;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f0f0f0;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.state-sending{color:#17702a}.state-idle{color:#777}
.state-held,.state-node-held,.state-locked,.state-isp-locked{color:#b00020;font-weight:600}
.reply{font-family:monospace;font-size:12px;color:#555;max-width:28em;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
#error{color:#b00020}
</style></head>
<body>
<h1>sluiced <span id="host"></span></h1>
<div id="meta"></div><div id="error"></div>
<div id="summary"></div>
<table id="queues"><thead><tr><th>Queue</th><th>State</th><th>Ready</th><th>In flight</th>
<th>Deferred</th><th>Rate /h (now / allowed)</th><th>Conns</th><th>Delivered</th>
<th>Deferrals</th><th>Bounced</th><th>Lock / hold</th><th>Last reply</th></tr></thead>
<tbody id="queue-rows"><tr><td colspan="12">loading…</td></tr></tbody></table>
<script>
"use strict";
function el(tag, text, cls){const e=document.createElement(tag);if(text!==undefined)e.textContent=String(text);if(cls)e.className=cls;return e;}
function bytes(n){if(n==null)return"?";const u=["B","KiB","MiB","GiB","TiB"];let i=0;while(n>=1024&&i<u.length-1){n/=1024;i++;}return n.toFixed(i?1:0)+" "+u[i];}
function rate(r){return r?Math.round(r):"∞";}
function when(t){return t?new Date(t*1000).toLocaleTimeString():"";}
function card(label,value){const c=el("div",undefined,"card");c.appendChild(el("b",value));c.appendChild(document.createTextNode(label));return c;}
function showStatus(s){
  document.getElementById("host").textContent=s.hostname+" "+s.version;
  document.getElementById("meta").textContent="up "+s.uptime_seconds+" s · config generation "+s.config.generation+
    (s.config.last_reload_ok?"":" · last reload FAILED: "+s.config.last_reload_error)+
    (s.accepting?" · accepting mail":" · NOT accepting mail")+(s.sending_paused?" · ALL SENDING PAUSED":"");
  const box=document.getElementById("summary");box.replaceChildren();
  const t=s.totals;
  for(const [k,v] of [["accepted",t.accepted],["delivered",t.delivered],["deferred",t.deferred],["bounced",t.bounced],
      ["expired",t.expired],["cleared",t.cleared],["in spool",s.spool.messages],["spool size",bytes(s.spool.compressed_bytes)],
      ["free disk",bytes(s.spool.free_bytes)],["connections",s.delivery.connections],["waiting",s.delivery.waiting_recipients]])
    box.appendChild(card(k,v));
}
function showQueues(list){
  const body=document.getElementById("queue-rows");body.replaceChildren();
  if(!list.length){const r=el("tr");const c=el("td","no queues yet");c.colSpan=12;r.appendChild(c);body.appendChild(r);return;}
  for(const q of list){
    const r=el("tr");r.dataset.queue=q.name;
    r.appendChild(el("td",q.name,"queue-name"));
    const st=el("td",q.state,"state-"+q.state);st.title=q.why;r.appendChild(st);
    for(const v of [q.queued,q.in_flight,q.deferred])r.appendChild(el("td",v,"num"));
    r.appendChild(el("td",rate(q.rate.current_per_hour)+" / "+rate(q.rate.allowed_per_hour),"num"));
    r.appendChild(el("td",q.connections.open+" / "+q.connections.max,"num"));
    for(const v of [q.counts.delivered,q.counts.deferred,q.counts.bounced])r.appendChild(el("td",v,"num"));
    let lh=q.held?"held ("+q.held+")":"";
    if(q.lock)lh+=(lh?"; ":"")+"locked by "+q.lock.rule+" until "+when(q.lock.until);
    r.appendChild(el("td",lh));
    r.appendChild(el("td",q.last_replies.length?q.last_replies[0]:"","reply"));
    body.appendChild(r);
  }
}
async function poll(){
  try{
    const [s,q]=await Promise.all([fetch("status").then(r=>r.json()),fetch("queues?sort=waiting&limit=200").then(r=>r.json())]);
    showStatus(s);showQueues(q.queues);document.getElementById("error").textContent="";
  }catch(e){document.getElementById("error").textContent="cannot reach sluiced: "+e;}
}
poll();setInterval(poll,2000);
</script></body></html>
)HTML";
}  // namespace

std::string_view dashboard_html() {
    return kPage;
}

}  // namespace sluice::daemon::status
