"""The frozen phrase lexicon, over `core.text.normalize`d text.

The learned model (`core.triage.linear`) decides the subtype and most of the
scope. What stays here is what a model should not be left to learn: the cue
phrases shown to agents as "why this verdict" (and that let a second problem
count only when it is named), the stolen-account safety rule, and the scope
phrases whose meaning is fixed (the platform admitting an outage, "only me",
one room's audience). Do not add phrases to fix single messages: add
examples to `core/triage/data` and retrain instead. Latin words get word
boundaries from `_w`, so that "ban" does not fire inside "banner".
"""

from __future__ import annotations

import re

from core.triage.prefilter import compile_cues


def _w(pattern: str) -> str:
    """Add word boundaries at the ends that are latin letters or digits."""
    start = r"(?<![a-z0-9])" if re.match(r"^\(?[a-z0-9]", pattern) else ""
    end = r"(?![a-z0-9])" if re.search(r"[a-z0-9)?s]$", pattern) else ""
    return f"{start}(?:{pattern}){end}"


# Any latin letter: English phrases can only match text that has one.
LATIN = re.compile(r"[a-z]")


def needs_latin(pattern: str) -> bool:
    """Whether a pattern can only match text with latin letters: written in
    ASCII, and naming no digits ("1080p?" matches a bare "1080").
    """
    body = pattern.replace("[a-z0-9]", "")  # the word boundaries added by `_w`
    return body.isascii() and "\\d" not in body and not any(c.isdigit() for c in body)


class Phrases:
    """A cue pattern in two halves: phrases that may match any text, and English
    word phrases that can only match where the text has latin letters (most
    messages are Chinese only, and skip the English half).
    """

    __slots__ = ("_any", "_latin")

    def __init__(self, any_text: str, latin: str) -> None:
        self._any = compile_cues(any_text)
        self._latin = compile_cues(_w(latin))

    def search(self, text: str) -> re.Match[str] | None:
        """The leftmost match, as one alternation of both halves would find it."""
        first = self._any.search(text)
        if LATIN.search(text) is None:
            return first
        second = self._latin.search(text)
        if first is None or (second is not None and second.start() < first.start()):
            return second
        return first


# One pattern per subtype: the phrases an agent recognises as the reason.
CUES: dict[str, Phrases] = {
    "av.blur": Phrases(
        r"模糊|糊成|好糊|太糊|画质|清晰度|分辨率|马赛克|码率|不清晰|看不清",
        r"blurr?y|blurred|pixel+ated|fuzzy|grainy|low[- ]res(olution)?|resolution|video quality",
    ),
    "av.stutter": Phrases(
        r"卡顿|卡成|一卡一卡|卡死|卡住|缓冲|转圈|掉帧|帧率|延迟|不流畅|断断续续",
        r"lags?|laggy|lagging|stutter(s|ing|y)?|freez(e|es|ing)|froze(n)?|buffer(s|ing)?|choppy|"
        r"fps (dips?|drops?)|(dropped|dropping) frames|frame drops?|latency",
    ),
    "av.desync": Phrases(
        r"不同步|对不上|口型|嘴型|声画|音画|慢半拍",
        r"out of sync|not in sync|lip[- ]?sync|desync(ed)?|"
        r"(audio|sound|voice) (is )?(ahead|behind)",
    ),
    "av.noise_echo": Phrases(
        r"杂音|噪音|噪声|回声|回音|啸叫|爆音|炸麦|电流声|滋滋|刺耳|破音|失真",
        r"noise|noisy|echo(es|ing|y)?|howl(s|ing)?|crackl(e|es|ing|y)|static|buzz(es|ing)?|"
        r"feedback|distort(ed|ion)",
    ),
    "av.no_audio": Phrases(
        r"没声音|没有声音|没声|无声|声音没了|听不到|听不见|只有画面",
        r"no (sound|audio)|(sound|audio) (is )?(gone|missing|cuts out)|can'?t hear|muted|silent",
    ),
    "av.black_screen": Phrases(
        r"黑屏|没有画面|没画面|无画面|画面没了|白屏|打不开|进不去|加载不出",
        r"black screen|blank screen|no (picture|video|image)|won'?t load|doesn'?t load|"
        r"(stream|video) (is )?black",
    ),
    "func.gift": Phrases(
        r"礼物|打赏|送礼|刷礼物|特效|连击|小心心|火箭|嘉年华",
        r"gifts?|gifting|tips?|tipping|donat(e|ion|ions)|bits|cheers?|super ?chats?|stickers|"
        r"diamonds|roses",
    ),
    "func.danmaku": Phrases(
        r"弹幕|评论|留言|公屏|发言|聊天(区|室)?",
        r"danmaku|(live )?chat|comments?|messages? (won'?t|don'?t|do not|not) (send|show)",
    ),
    "func.stream_push": Phrases(
        r"推流|开播|开不了播|直播中断|断流|掉线|下播|obs|直播伴侣",
        r"go(ing)? live|start (a |the |my )?(stream|broadcast)|obs|rtmp|stream key|"
        r"(stream|broadcast) (keeps )?(dropping|disconnect(s|ing)?|ends?|cut(s|ting)? off)",
    ),
    "func.beauty_filter": Phrases(
        r"美颜|滤镜|瘦脸|磨皮|大眼|美白",
        r"beauty (filter|effect|mode)s?|filters?|face (effect|filter)s?|skin smoothing",
    ),
    "func.co_host": Phrases(
        r"连麦|pk|连线|合播|双人直播",
        r"co-?host(ing)?|collab|link[- ]mic|pk( battle)?|guest (request|invite)|multi-?guest",
    ),
    "func.profile": Phrases(
        r"头像|昵称|个人资料|签名|简介|改名|资料",
        r"avatar|profile (picture|photo|pic)?|nickname|display name|username|bio",
    ),
    "func.notification": Phrases(
        r"推送|通知|提醒|开播提醒|消息提醒",
        r"notifications?|notif(s)?|push (alert|message)s?|alerts?|goes live",
    ),
    "acct.login": Phrases(
        r"登录|登陆|登不上|登不进|验证码|密码错误|闪退到登录",
        r"log ?in|login|sign ?in|verification code|otp|2fa|locked out|password (is )?wrong",
    ),
    "acct.stolen": Phrases(
        r"被盗|盗号|异地登|陌生设备|被黑|不是我(本人)?操作",
        r"hack(ed|er)|stolen|compromised|taken over|someone else|unrecogni[sz]ed (device|login)",
    ),
    "acct.permission": Phrases(
        r"封号|被封|误封|封禁|禁言|被禁|禁播|限流|申诉|处罚",
        r"banned|ban|suspended|suspension|muted|restricted|shadow ?ban(ned)?|strike|appeal",
    ),
    "fin.recharge": Phrases(
        r"充值|充了|没到账|未到账|扣款|扣了钱|钻石|金币|抖币|快币|鱼翅|虎牙币|b币|电池",
        r"top[- ]?up|recharge|bought (coins|diamonds|bits)|coins|charged|purchase",
    ),
    "fin.refund": Phrases(
        r"退款|退钱|退回|退费|申请退",
        r"refund(s|ed)?|money back|chargeback|reimburse",
    ),
    "fin.withdrawal": Phrases(
        r"提现|收益|结算|打款|兑换|工资",
        r"withdraw(al|als|ing)?|cash ?out|payouts?|paid out|earnings|revenue|payment (is )?late",
    ),
    "svc.slow_response": Phrases(
        r"客服.{0,8}(不回|没回|没人|慢|等了)|工单.{0,8}(没|慢|几天)|没人(理|回|管)|一直在排队",
        r"no (reply|response|answer)|(waiting|waited) (for )?(\d+|days|weeks|hours)|"
        r"ticket (is )?(still )?open|never (replied|answered|got back)|takes? forever",
    ),
    "svc.attitude": Phrases(
        r"态度|敷衍|不耐烦|不专业|挂我电话|骂人|阴阳怪气|爱答不理",
        r"rude|attitude|unprofessional|dismissive|condescending|hung up|"
        r"copy[- ]paste(d)? (reply|answer)",
    ),
    "svc.misunderstood": Phrases(
        r"答非所问|没看懂|听不懂|理解错|不是这个问题|说了好几遍|鸡同鸭讲",
        r"misunderst(an|oo)d|didn'?t (read|understand|listen)|not what i asked|"
        r"wrong (answer|issue)|keep(s)? (telling|asking) me to",
    ),
    "sug.ui": Phrases(
        r"界面|按钮|布局|字体|排版|入口|夜间模式|深色模式|太小|难找",
        r"(ui|interface|layout|button|font|menu)s?|dark mode|hard to find|too small|cluttered",
    ),
    "sug.feature": Phrases(
        r"新功能|功能|模式|选项|开关",
        r"option|feature|mode|ability|setting",
    ),
}

# A stolen account outranks whatever else the message says: P1 at least, and
# the writer must secure it now. Not "my friend's account was hacked and
# messaged me", which the scope phrases below treat as one writer.
STOLEN = Phrases(
    r"被盗|盗号|盗了我|异地登录|陌生设备登录|(密码|手机号|绑定|邮箱)(被|让人|被人)(改|换)|"
    r"有人(改了?|登了?|盗了?)我的",
    r"hacked|(account|acct) (was |got |has been )?(stolen|compromised|taken over)|"
    r"someone (else )?(changed|logged into|is using|took over|got into) my|"
    r"unrecogni[sz]ed (device|login)|lost access to my account",
)

# A suggestion, not a complaint; excludes "建议你们赶紧修复" which is a complaint.
SUGGESTION = Phrases(
    r"(?<!的)建议(?!我|您|你们?(赶紧|尽快|马上)?(修|解决|处理|查))|希望(能|可以)?(增加|加|出|支持|有)|"
    r"能不能(加|出|增加|做个|支持)|可以(加|增加|出)(一个|个)?|(加|增加|添加|出)(一个|个).{0,16}(功能|模式|选项|按钮)",
    r"(please|pls) add|would be (nice|great|cool)|feature request|i suggest|suggestion|"
    r"could you (add|make)|can you (add|make)|i wish|would love|you should add|"
    r"(need|want) (an? )?(option|way|setting) to|let (us|me|users) (choose|change|hide|set)",
)

# The platform itself admits the fault: many users, whatever else is said.
OFFICIAL = Phrases(
    r"官方.{0,10}(公告|通知|在查|排查|致歉|道歉|在修|修复中)|官号|公告说",
    r"officially|(official|status) (page|account|announcement|post)|"
    r"known (issue|outage)|acknowledged the (issue|outage|problem)",
)
# Many users, in the writer's own words (the model weighs the rest).
MANY = Phrases(
    r"大家都|很多人|好多人|所有人|一堆人|不止我|不只我|其他人也|别人也|(所有|全部|每个)直播间|热搜|全站|"
    # Another person having it too: "我老婆的手机也一样", "室友也登不上".
    r"(老婆|老公|朋友|室友|同事|同学|家人|妹妹?|姐姐?|哥哥?|弟弟?|妈妈?|爸爸?)[^，。！？,.!?]{0,8}(也|都)"
    r"(一样|是|这样|没|不|登不|打不|看不|收不)",
    r"everyone|everybody|many (people|users|viewers|streamers)|lots of people|not just me|"
    r"(all|every) (streams?|channels?|rooms?)|whole (app|site|platform)|down for everyone|"
    r"anyone else|other (people|users|streamers)|"
    r"(my )?(wife|husband|friends?|roommates?|brother|sister|mom|dad)('s [a-z]+)? "
    r"(too|also|as well|has (it|the same)|"
    r"(is|are|does|do|did|can'?t|cannot)[a-z' ]{0,20} (too|either))",
)
# Everyone inside ONE room, or both sides of one co-host session: one stream.
ONE_ROOM = Phrases(
    r"这个直播间|这个主播|我的观众|我的粉丝|同一个直播间|直播间里的(人|观众|粉丝)|双方|对方",
    r"(this|that|one|the same) (room|stream|channel|streamer)|my (viewers|fans|audience|chat)|"
    r"(watching|in) (the same|this|his|her|their) (stream|room|channel)|the other (host|streamer)",
)
# Others explicitly unaffected, or many people seeing one user's problem.
ONLY_ME = Phrases(
    r"(?<!不是)(?<!不止)(?<!不只)只有我|就我一个|(别人|其他人|朋友|家人)[^，。！？,.!?]{0,8}(都|也)?(正常|没问题|能看|好好的)|"
    r"(看不到|听不到|看不见|听不见)我",
    r"(?<!not )(only me|only for me|just me)|works (fine )?for (everyone|others|my friends)|"
    r"(others|everyone else|my friends|other people) (are|is|seem) (fine|ok|okay|normal)|"
    r"(can'?t|cannot) (see|hear) me",
)
