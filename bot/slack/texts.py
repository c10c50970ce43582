"""Text agents read in Slack (bilingual: the support team works in both)."""

AGENT_TEXTS: dict[str, str] = {
    "user_said": "👤 {name}: {text}",
    "user_file": "👤 {name} sent {file}",
    "reopened_by_user": "🔁 用户表示问题未解决，工单已重新打开 / The user says it is not fixed: reopened.",
    "confirmed": "✅ 用户确认已解决 / The user confirmed the fix.",
    "rated": "⭐ 用户评分 / User rating: {rating}",
    "commented": "💬 用户评价 / User comment: {comment}",
    "user_answered": "📝 用户补充了信息 / The user sent the requested details.",
    "claimed": "🙋 <@{user}> 认领了工单 / claimed the ticket.",
    "already_claimed": "{ref} 已被 <@{user}> 认领 / is already claimed by <@{user}>.",
    "not_agent": "抱歉，你不在 LiveDesk 客服名单中，无法操作工单 / Sorry, only configured LiveDesk agents can act on tickets.",
    "not_finance": "财务工单只能由财务客服处理 / Only finance agents can act on finance tickets.",
    "resolved": "🛠 <@{user}> 已解决（{outcome}，{cause}）：{root_cause}",
    "reopened": "🔁 <@{user}> 重新打开了工单 / reopened the ticket.",
    "escalated": "⏫ <@{user}> 升级到 {tier}：{reason} {mention}",
    "priority": "🎚 <@{user}> 把优先级改为 {priority}：{reason}",
    "info_requested": "❓ <@{user}> 请用户补充 / asked the user for: {fields}",
    "article_sent": "📚 <@{user}> 发送了知识库文章 / sent article: {title}",
    "reassigned": "👥 <@{user}> 转交给 / handed the ticket to {to}",
    "unclaimed": "👥 <@{user}> 放弃了认领 / unclaimed the ticket.",
    "note_saved": "🔒 内部备注已保存 / Internal note saved.",
    "delivery_failed": "⚠️ 消息没能发送给用户 / The reply could not be delivered to the user: {error}",
    "error": "⚠️ 操作失败 / That did not work: {error}",
    "unknown_ticket": "没有这个工单 / No such ticket: {ref}",
    "sla_warning": "⏰ {mention} {ref}: {clock}已用 {percent}% ，截止 {due} / {percent}% of the {clock_en} target used, due {due}",
    "sla_breach": "🚨 {ref} 超时未{clock}，已升级到 {tier} {mention} / missed its {clock_en} target: escalated to {tier}",
    "paging_level": "📟 {ref}: 第 {level} 级呼叫（第 {round} 轮）{mention} / paging level {level}, round {round}",
    "page_acked": "✅ <@{user}> 已接手 {ref}，停止呼叫 / acknowledged {ref}: paging stopped.",
    "incident_acked": "✅ <@{user}> 接手了事故 {ref}，停止呼叫 / took incident {ref}: paging stopped.",
    "incident_declared": "🚨 <@{user}> 宣布了事故 {incident}（来自 {ref}）/ declared incident {incident} from {ref}.",
    "incident_linked": "🔗 <@{user}> 把 {ref} 关联到事故 {incident} / linked {ref} to incident {incident}.",
    "incident_unlinked": "↩️ <@{user}> 把 {ref} 移出事故 {incident}：{reason} / took {ref} out of {incident}.",
    "incident_merged": "🧩 <@{user}> 把 {other} 合并到 {incident} / merged {other} into {incident}.",
    "incident_updated": "📣 <@{user}> 发布了进展（{status}）/ posted an update ({status}).",
    "incident_resolved": "🛠 <@{user}> 解决了事故（{outcome}，{cause}）/ resolved the incident.",
    "not_finance_incident": "财务事故只能由财务客服处理 / Only finance agents can act on finance incidents.",
    "unknown_incident": "没有这个事故 / No such incident: {ref}",
    "war_room": "🏠 <@{user}> 开了作战室 / opened a war room: <#{channel}>",
    "bad_eta": "预计时间必须在未来 / The ETA must be in the future",
    "usage": "用法 / Usage: `/livedesk queue` · `/livedesk ticket LD-1042` · `/livedesk mine` · `/livedesk kb <query>` · `/livedesk stats` · `/livedesk report [days]`",
}


def agent_text(key: str, **values: object) -> str:
    return AGENT_TEXTS[key].format(**values)


def mentions(targets: list[str] | tuple[str, ...]) -> str:
    """Slack mentions of user ids (U...) and user groups (S...)."""
    return " ".join(f"<!subteam^{t}>" if t.startswith("S") else f"<@{t}>" for t in targets)


# Reclassification (issue 16): agents correcting triage from the card.
AGENT_TEXTS["reclassified"] = (
    "🏷 <@{user}> 重新分类 / reclassified: {subtype_before} → {subtype}，"
    "{priority_before} → {priority}：{reason}"
)

# A reporter's message on a ticket inside an incident, in the incident card's thread.
AGENT_TEXTS["incident_user_said"] = "👤 {ref} · {name}: {text}"
AGENT_TEXTS["incident_user_file"] = "👤 {ref} · {name} sent {file}"
