"""Weighted cue lexicon per subtype, over `core.text.normalize`d text.

Patterns are regular expressions. Latin words get word boundaries added by
`_w` so that "ban" does not fire inside "banner". Both 账 and 帐 appear
because opencc maps traditional 帳 to 帐 and users type either.
Weights: 1 weak hint, 2 typical, 3 strong, 4-5 decisive (beats a generic
problem word from another subtype in the same message).
"""

from __future__ import annotations

import re

from core.triage.prefilter import compile_cues

Rule = tuple[str, float]


def _w(pattern: str) -> str:
    """Add word boundaries at the ends that are latin letters or digits."""
    start = r"(?<![a-z0-9])" if re.match(r"^\(?[a-z0-9]", pattern) else ""
    end = r"(?![a-z0-9])" if re.search(r"[a-z0-9)?s]$", pattern) else ""
    return f"{start}(?:{pattern}){end}"


# Any latin letter: English phrases can only match text that has one.
LATIN = re.compile(r"[a-z]")


def needs_latin(pattern: str) -> bool:
    """Whether a rule pattern can only match text with latin letters: written
    in ASCII, and naming no digits ("1080p?" matches a bare "1080").
    """
    body = pattern.replace("[a-z0-9]", "")  # the word boundaries added by `_w`
    return body.isascii() and "\\d" not in body and not any(c.isdigit() for c in body)


class Phrases:
    """A cue pattern in two halves: phrases that may match any text, and English
    word phrases that can only match where the text has latin letters. Most
    messages are Chinese only, and skipping the English half there saves a
    large share of the scope work.
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


# The bare "卡" of stutter must not fire inside card words.
_KA = r"(?<!银行)(?<!信用)(?<!借记)(?<!储蓄)(?<!会员)(?<!礼品)(?<!月)卡(?![号片券密包])"

RULES: dict[str, list[Rule]] = {
    "av.blur": [
        (
            r"模糊|糊成|好糊|很糊|太糊|巨糊|超糊|特别糊|非常糊|有点糊|超级糊|贼糊|糊得|糊的|糊了|"
            r"模模糊糊|(画面|画质|视频|直播间?)糊",
            3,
        ),
        (r"画质|清晰度|分辨率|马赛克|码率|像素|颗粒感|不清晰|不清楚|看不清|不够清", 3),
        (r"超清|高清|蓝光|原画|标清|\d{3,4}p(?![a-z])", 2),
        (_w(r"blurr?y|blurred|blur|pixel+ated|pixelly|fuzzy|grainy|blocky"), 3),
        (_w(r"low[- ]res(olution)?|resolution|low quality|potato quality|video quality"), 3),
        (_w(r"hd|1080p?|720p?|480p?|quality"), 1),
    ],
    "av.stutter": [
        # A stream minutes behind its chat is latency: sound and picture are never minutes apart.
        (
            r"(聊天室|弹幕|评论区?|公屏|留言).{0,8}对不上|"
            r"(?<!弹幕)(?<!消息)(?<!评论)(?<!显示)延迟.{0,3}[\d一二两三几十半]+分钟",
            5,
        ),
        (r"卡顿|卡成|一卡一卡|卡卡的|卡死|卡住|卡得|卡到|卡爆|卡的要死|卡的不行|卡炸", 3),
        (r"[好很太超巨贼特别有点一直老是又总是就也还都会]" + _KA, 3),
        (_KA, 2),
        (
            r"缓冲|转圈|掉帧|帧率|延迟|延时|不流畅|不顺畅|断断续续|一顿一顿|定格|画面定住|画面不动",
            3,
        ),
        (r"加载[很好太超]?慢|一直加载|老是加载", 2),
        (_w(r"lags?|laggy|lagging|stutter(s|ing|y)?|freez(e|es|ing)|froze(n)?|buffer(s|ing)?"), 3),
        (_w(r"choppy|jerky|low fps|fps drops?|frames? drops?|dropp(ed|ing) frames|delay(ed)?"), 3),
        (_w(r"loading forever|keeps loading|spinning|slideshow|latency|not smooth"), 2),
        (_w(r"hanging|hangs|keeps stopping|stops every"), 2),
    ],
    "av.desync": [
        (r"不同步|对不上|口型|嘴型|声画|音画", 5),
        (r"声音(比画面|比视频)?(慢|快|延迟|滞后|落后|超前|跟不上)", 4),
        (r"画面(比声音)?(慢|快|滞后|落后|超前)", 2),
        (
            r"慢半拍|快半拍|声音(先|早)|画面(后|晚)出|先听到|差了?[\d一二两三几]+秒|错位|跟不上画面",
            3,
        ),
        (_w(r"(audio|sound|voice) (comes|plays|arrives) (before|after)|delay between"), 4),
        (_w(r"out of sync|not in sync|lip[- ]?sync|desync(ed)?|sync(ed|ing)?"), 5),
        (_w(r"(audio|sound|voice) (is |was )?(ahead|behind|delayed|lagging|late|early)"), 4),
        (_w(r"(audio|sound|voice) lags? behind|(behind|ahead of) the (video|picture)"), 4),
        (_w(r"not (the )?same time|mouth (move|moves|moving) (first|before)"), 4),
        (_w(r"(video|picture) (is |was )?(ahead|behind)"), 3),
    ],
    "av.noise_echo": [
        (
            # Not "没一个有回音": no reply.
            r"杂音|噪音|噪声|回声|(?<!没)(?<!没有)(?<!一个有)(?<!无)回音|啸叫|爆音|炸麦|电流声|电流音|"
            r"滋滋|沙沙|嗡嗡|刺耳|破音|失真",
            4,
        ),
        (
            r"嘶嘶|吱吱|咔咔|声音[很好太]?(炸|吵|尖|怪|难听|刺|沙哑|破)|麦克风.{0,4}(吵|响)|尖叫声",
            3,
        ),
        (
            _w(
                r"noise|noisy|echo(es|ing|y)?|howl(s|ing)?|crackl(e|es|ing|y)|crack(s|ing|y)?|static|buzz(es|ing)?"
            ),
            4,
        ),
        (_w(r"hiss(es|ing)?|feedback|distort(ed|ion)|screech(es|ing)?|popping|squeal(ing)?"), 3),
    ],
    "av.no_audio": [
        (r"没声音|没有声音|没声|无声|没了声音|声音没了|声音消失|听不到|听不见|冇声|听唔到", 4),
        (r"没有音频|没音频|声音出不来|没有声|听不了|无音|没音|声音突然没|哑巴|只有画面", 4),
        (r"静音", 1),
        (r"一点声(音|儿)?(都|也)?(没有|没)", 4),
        (
            _w(
                r"no (sound|audio|voice)|can'?t hear|cannot hear|can not hear|could(n'?t| not) hear"
            ),
            4,
        ),
        (
            _w(
                r"(audio|sound|voice)('s| is| was| has)?( been)? "
                r"(gone|missing|dead|not working|cut out|broken|off)"
            ),
            4,
        ),
        (_w(r"silent|silence|sound ?less|muted"), 2),
    ],
    "av.black_screen": [
        (
            r"黑屏|黑画面|黑了屏|没画面|没有画面|无画面|画面[是都全一片]*黑|白屏|画面出不来|画面没了",
            4,
        ),
        (r"(打不开|进不去|进不了|点不开|加载不出)[了的]?(直播间|直播|房间)", 4),
        (r"(粉丝|观众)[^。！？!?]{0,12}黑屏", 3),
        (
            _w(
                r"(room|stream|screen|video|picture|live) (is|was|goes|went|turns|turned|just) "
                r"(all |totally |completely |just )?(black|dark)"
            ),
            4,
        ),
        (r"(直播间|房间|直播)[一直总是老是都]*(打不开|进不去|进不了|点不开|加载不出)", 4),
        (r"加载不出|看不了直播|看不到画面|看不到直播|只有声音|有声音没|花屏|啥都看不到", 3),
        (r"只(显示|有|看到|能看到)(主播的?)?(头像|封面|背景|一张图)|不出画面|画面不出来", 4),
        (_w(r"only (shows?|see|displays?) (the |a )?(avatar|cover|profile picture|thumbnail)"), 4),
        (_w(r"video never (starts|loads|plays)|no video"), 3),
        (r"看不了|看不到|打不开", 1),
        (
            _w(
                r"black screen|blank screen|white screen|no (picture|video|image)|screen (is |"
                r"goes |went |turns? )?black"
            ),
            4,
        ),
        (_w(r"(won'?t|doesn'?t|can'?t|cannot|didn'?t|not) (load|open|play)(ing)?"), 2),
        (
            _w(
                r"can'?t (watch|enter|join) (the |any )?(stream|live|room)s?|only (audio|"
                r"sound)|just audio"
            ),
            3,
        ),
    ],
    "func.gift": [
        (r"礼物|打赏|送礼|刷礼|赠送|嘉年华|火箭|跑车|游艇|小心心|荧光棒|抖内|斗内|礼包特效", 4),
        (r"特效|动画|连击|背包", 1),
        # A gift that hangs ("送礼一直转圈", "连击礼物送到一半就卡住了") is the gift
        # failing, not the stream stuttering.
        (r"(送礼|刷礼|送礼物|打赏|礼物|连击)[^，。！？,.!?]{0,8}(转圈|卡住|卡在|卡了|没反应)", 4),
        (r"(礼物|送礼)的?特效|特效.{0,4}(没了|不显示|看不到|出不来)|(看不到|没有)特效", 3),
        (
            _w(
                r"gifts?|gifted|gifting|tips?|tipping|tipped|donat(e|ed|ion|ions|ing)|super ?chats?"
            ),
            4,
        ),
        (_w(r"animation|effects?|combo"), 1),
    ],
    "func.danmaku": [
        # "评论区好多人说" names where others report, not a comment problem.
        (
            r"弹幕|公屏|聊天区|聊天框|评论区(?![也都里]?(好多|很多|一堆|全是|都在|也有))|吞评论|刷屏",
            2.5,
        ),
        (
            r"(弹幕|评论|消息|聊天|发言|留言|字).{0,8}(发不出|发不了|发送失败|不显示|显示不出|看不到|"
            r"被吞|没显示|刷不出|消失|不见了|发出去)",
            3,
        ),
        (r"评论|发言|聊天|留言|发消息|发不出|被吞|发不了字|打字|消息发不出去", 2),
        (_w(r"danmaku|bullet comments?|chat ?box|live chat|chat room"), 4),
        (_w(r"chats?|chatting|comments?|commenting"), 2),
        (_w(r"messages? (don'?t|won'?t|not|never|do not|does not) (send|show|appear|post)"), 3),
        (_w(r"(send|post|type) (a )?(message|comment)s?"), 2),
    ],
    "func.stream_push": [
        (r"开播.{0,8}(正在连接|连接中|连不上服务器|连接失败|连接超时)", 4),
        (
            r"推流|断流|断播|开不了播|无法开播|开播失败|开不了直播|开不了台|开台失败|推流码|直播伴侣|码率|上行",
            5,
        ),
        (
            r"(直播|stream)(中断|断了|掉线|被断|老是断|总是断|一直断|断开|断线|自动结束|被中断|停了|被迫结束)|"
            r"(没法|没办法|无法|不能|能)开(播|台)|自己结束了|开播.{0,4}卡(在|住)|"
            r"直播(就|又)?(直接|自动|突然)结束",
            4,
        ),
        (
            r"(被迫|自动|强制)下播|下播了|播不了|播着播着|开播(就|总|老|一直)(断|掉|失败|闪退|退出)",
            4,
        ),
        # Broadcaster context alone: the fault may still be audio or picture.
        (
            r"开播(?!提醒|通知)|开台|开直播|开始直播|我(在)?直播(的时候|时|中)|主播端|我是主播|作为主播",
            1.5,
        ),
        (_w(r"obs|rtmp|stream ?key|bitrate|upload speed"), 4),
        (_w(r"can'?t (go|get) live|cannot go live|unable to (go live|stream|broadcast)"), 5),
        (
            _w(
                r"(start|starting) (a |my |the )?(live|stream|streaming|broadcast) (fails|"
                r"failed|error)"
            ),
            5,
        ),
        (
            _w(r"can'?t stream|cannot stream|(go|going|went) live|start (a |my )?(live|stream)s?"),
            2.5,
        ),
        (_w(r"(my )?live (always |keeps? )?(stops?|ended|ends)|live ended|stream ended"), 3),
        (
            _w(
                r"my (live ?)?(stream|broadcast|live) (keeps |kept )?"
                r"(drop|disconnect|cut|end|stop|crash)(s|ed|ping|ting|ing)?"
            ),
            4,
        ),
        (
            _w(
                r"(i'?m|i am|as) a (streamer|broadcaster|host)|"
                r"while (i'?m |i am )?(streaming|live)|my viewers"
            ),
            1.5,
        ),
    ],
    "func.beauty_filter": [
        (r"美颜|滤镜|瘦脸|大眼|磨皮|美白|美妆|贴纸|虚拟背景|美肤|瘦身|美型|美化", 4),
        (r"特效", 1),
        (_w(r"beauty|beautif(y|ying|ication|ier)|filters?|face ?slim(ming)?|smooth(ing)? skin"), 4),
        (_w(r"makeup|ar effects?|stickers?|virtual background|skin smoothing|face effects?"), 3),
    ],
    "func.co_host": [
        (
            r"连麦|pk|对战|上麦|麦位|下麦|抱麦|连屏|合播|多人连|嘉宾|语音房|邀请连|麦序|连不上麦",
            5,
        ),
        (r"连线", 3),
        (r"pk.{0,4}(分数|积分|比分)", 3),
        (r"连麦.{0,6}(卡死|卡住|断开|掉线|断了)", 4),
        (
            _w(
                r"co-?host(s|ing|ed)?|link ?mic|multi-?guest|guests?|battles?|versus|"
                r"collab(oration)? live"
            ),
            5,
        ),
        (_w(r"pk|dual live|join(ed)? (my|his|her|the) (live|stream)"), 3),
    ],
    "func.profile": [
        (r"头像|昵称|暱称|个人资料|个人简介|简介|个性签名|改名|修改资料|头贴|用户名|背景图", 4),
        (r"资料|签名|封面|生日|性别|名字|改不了名", 2),
        (r"主页", 1),
        (_w(r"avatar|profile|nickname|bio|username|user name|display name|pfp|cover photo"), 4),
        (_w(r"name|picture|photo"), 1),
    ],
    "func.notification": [
        (r"推送|通知|消息提醒|提醒|提示音|通知栏|没提示", 4),
        (r"开播(提醒|通知)", 6),
        (r"消息", 1),
        (
            _w(
                r"notifications?|notify|notified|push (notification|message|alert)s?|alerts?|"
                r"reminders?"
            ),
            4,
        ),
    ],
    "acct.login": [
        (r"登录|登陆|登入|登不上|登不进|登不了|登录不了|上不去号|进不去账号|进不了账号", 3),
        (
            r"验证码|短信|收不到码|密码错误|密码不对|被踢出|掉登录|自动退出|退出登录|一直退出|重新登录",
            3,
        ),
        (r"注册|手机号|忘记密码|找回密码|扫码|一键登", 2),
        (_w(r"(forgot|forget) (my )?password|reset (email|link|code|mail)"), 3),
        (_w(r"log ?in|login|logged out|log(s|ging)? me out|sign(ed)? ?in|signin|sign ?up|otp"), 3),
        (
            _w(
                r"verification (code|sms)|verify code|sms( code)?|code (never|doesn'?t|didn'?t|"
                r"does not|won'?t) (arrive|come)"
            ),
            3,
        ),
        (_w(r"password (is |was )?(wrong|incorrect)|wrong password|2fa|two-factor|locked out"), 3),
    ],
    "acct.stolen": [
        (r"被盗|盗号|盗了|被人盗|异地登|陌生设备|别人登|被别人登|被人登|被骇|号没了|被人上了", 6),
        (r"(密码|手机号|绑定|邮箱)(被|让人|被人|给人)(改|换)|被人?改了?(密码|手机号|绑定)", 6),
        (r"被黑|不是我(本人)?(操作|登|充|花|买)|莫名其妙被扣|被盗刷|被人?转走", 4),
        (r"有人(改了?|登了?|盗了?|用了?|在用)我的|别人(改|登|用)了?我的", 5),
        (r"顶号|被顶|换绑|密保|登录记录|不是我登|陌生|可疑登录|异常登录|被找回|被申诉走|号被人", 4),
        (
            _w(
                r"suspicious (login|activity|sign-?in)s?|unrecogni[sz]ed (device|login)s?|"
                r"someone else"
            ),
            5,
        ),
        (
            _w(
                r"(email|phone( number)?|password) (was |has been |got )?changed|took over|"
                r"not my device"
            ),
            4,
        ),
        (_w(r"hack(ed|er|ers)?|hijack(ed)?|stolen|compromised|taken over|unauthori[sz]ed"), 6),
        (_w(r"someone (else )?(changed|logged|is using|was using|took|has|accessed|got into)"), 6),
        (_w(r"unknown (device|login|location)|changed my password|lost access to my account"), 5),
        (_w(r"wasn'?t me|not me who"), 3),
    ],
    "acct.permission": [
        (
            r"封号|被封|误封|封禁|封了|禁言|被禁|禁播|停权|解封",
            6,
        ),
        (r"冻结|限流|申诉|处罚|被警告|封锁", 4),
        (r"违规", 2),
        (r"权限|限制|没资格|无权|扣分|信用分", 2),
        (_w(r"bann?(ed)?|suspend(ed|sion)?|shadow ?bann?(ed)?"), 6),
        (_w(r"restrict(ed|ion|ions)?|appeal(ed)?"), 4),
        (_w(r"(got|been|was|were|get|getting) muted|muted me|mute me|permissions?|violations?"), 4),
        (_w(r"(account|acc) (is |was |got |been )*(disabled|blocked|frozen|locked)|blocked"), 3),
    ],
    "fin.recharge": [
        (r"充值|冲值|充钱|冲钱|充了|冲了|储值|买币|买钻|购买(金币|钻石|币|星币|点券)|充币", 4),
        (r"扣款|扣钱|扣费|付款成功|支付成功|付了钱|付了款|钱扣了|钱被扣|扣了钱|已扣款", 3),
        (r"到账|到帐|没到|金币|钻石|余额|星币|币", 2),
        # Money that is stuck ("充值卡住了") is not a stuttering stream.
        (r"(充值|储值|充的钱|付款)[^，。！？,.!?]{0,3}卡(住|在|着)", 4),
        (_w(r"top ?-?ups?|topped up|recharg(e|ed|ing)|reload(ed)?"), 4),
        (_w(r"(purchas|bought|buy|buying).{0,12}(coins?|diamonds?|beans?|credits?)"), 4),
        (_w(r"charged|paid|payment (went through|succeeded|successful)"), 3),
        (_w(r"coins?|diamonds?|credited|balance"), 2),
    ],
    "fin.refund": [
        (r"退款|退钱|退费|退回来|申请退|要求退|退我|把钱退|退还|返还|原路退|退掉", 6),
        (r"(能|可以)退(吗|嘛|么)|退得了|退给我", 4),
        (
            _w(
                r"refund(ed|s|ing)?|money back|chargeback|reimburse(ment)?|return my money|"
                r"tui ?kuan"
            ),
            6,
        ),
        # Charged twice: the user wants the second charge back.
        (_w(r"charged (me )?(twice|two times|double)|double[- ]charged|duplicate charge"), 4),
        (r"扣了两次|扣款两次|重复扣(款|费|钱)|多扣了", 4),
        (_w(r"cancel (the |my )?(order|purchase|subscription)"), 3),
    ],
    "fin.withdrawal": [
        (r"提现|提领|提款|结算|提不出|兑现|打款|分成|佣金|提取|转出", 5),
        (r"收益|收入|工资|主播收入|礼物收入", 3),
        (r"(提现|提领|提款|打款|结算)[^，。！？,.!?]{0,5}卡(住|在|着)", 4),
        (
            _w(r"withdraw(al|als|ing|n|s)?|cash(ing)? ?-?out|cashout|payouts?|pay ?out|settlement"),
            5,
        ),
        (_w(r"earnings?|income|revenue"), 3),
    ],
    "svc.slow_response": [
        (
            r"没人跟进|已读不回|不回复我|等不到人|转人工|占线|没人接|自动回复|审核中|一天一句|天荒地老|"
            r"机器人回复|绕半天|来回问|问了.{0,3}(次|遍)|隔一天|效率.{0,2}低|太低了",
            4,
        ),
        (
            _w(
                r"takes? forever|zero (reply|replies|response)|not even an auto-?reply|"
                r"(nobody|no one) (ever )?follows? up|first (answer|reply) came|\d+ days since|"
                r"hotline|on hold|still no (answer|reply|update)|is anyone (even )?reading"
            ),
            4,
        ),
        (
            r"没人回|没人理|不回复|没回复|回复[很好太超]?慢|没人处理|还没处理|一直没处理|没有处理|没下文|石沉大海",
            4,
        ),
        (
            r"等了|排队|几天了|[两三四五六七八九十几好多\d]+天|催了|一直在等|迟迟|拖了|拖着|效率|太慢|好慢|很慢",
            2,
        ),
        (
            _w(
                r"no (reply|response|answer)|never (replied|responded|answered)|"
                r"(still )?waiting|slow"
            ),
            3,
        ),
        (
            _w(
                r"(days|hours|weeks) (and|with)? ?no|haven'?t heard|ignored|nobody (answers|"
                r"replied|responds)"
            ),
            3,
        ),
        (
            _w(
                r"(took|takes?|taking) .{0,30} to (answer|reply|respond|get back)|unanswered|"
                r"(\d+|two|three|four|five|"
                r"several) (days|weeks)"
            ),
            2,
        ),
    ],
    "svc.attitude": [
        (
            r"态度|敷衍|不耐烦|凶|(?<!都在)(?<!在)骂|语气(很|太|特别|超)?(冲|差|不好|恶劣)|怼|不礼貌|不专业|冷漠|傲慢|踢皮球|推脱|复制粘贴|甩锅|阴阳怪气|爱答不理|挂我",
            4,
        ),
        (r"机器人|模板|套话|官腔", 2),
        (r"不客气|不想帮|不愿意帮|爱帮不帮|叫我自己(去)?(看|查|找)", 4),
        (r"过分|气死|叹气|嘲讽|讽刺|说我|骂我|怪我|撒谎|见多了|小事也要|爱看不看|谁让你|不理我", 3),
        (_w(r"called me|talked down|laughed at|sarcastic|mocked|blamed me|lectured"), 3),
        (
            _w(
                r"rude|unprofessional|impolite|attitude|arrogant|dismissive|condescending|"
                r"(closed|ended) the chat|wasting (their|his|her|our) time|"
                r"hung up|yell(ed)?"
            ),
            4,
        ),
        (_w(r"canned|copy[- ]?paste(d)?|bot-like|robot"), 2),
    ],
    "svc.misunderstood": [
        (
            r"没get到|不懂我在说什么|没懂我的意思|答非所问|理解错|误解|没理解|没看懂|没听懂|不是这个意思|我说的不是|我问的是|鸡同鸭讲|牛头不对马嘴|文不对题",
            5,
        ),
        (r"根本没看|说了半天|不是这个问题|说的不是|搞错了我的问题|听不懂", 3),
        (
            r"跟我问的.{0,6}(没关系|无关|不相关|关系都没有)|我说的是.{0,12}不是|"
            r"不是一回事|回错人|完全没看|没看我|讲了半天|说了(两|三|四|好几|几|n)次|看清楚再回|完全对不上|我(说|讲|写|问|反馈|要|提)的是|根本不是|"
            r"教我(怎么|如何)|一直叫我|结果.{0,8}(给我|帮我)",
            5,
        ),
        (
            _w(
                r"explained how to|thinks my|read my (message|ticket)|did anyone read|wrong person|"
                r"(dont|don'?t|didn'?t|doesn'?t|do not|did not) understand|"
                r"explained (it |this )?([a-z]+ )?(times|twice)|keeps? (sending|telling) me|"
                r"i (said|asked|wrote|told (them|support)) .{0,40}(they|support|agent|bot) "
                r"(replied|keeps|sent|said)"
            ),
            5,
        ),
        (
            r"以为我|当成|理解成|说成|没搞懂|没搞清|搞错|弄错|听错|看错|明明说的是|明明是|回答的不是|驴唇不对马嘴",
            3,
        ),
        (
            _w(
                r"misunderst(ood|and|anding)|misread|did(n'?t| not) (understand|read)|"
                r"did(n'?t| not) get (it|me|what|my (point|question|message))|"
                r"not what i (asked|said|meant)"
            ),
            5,
        ),
        (
            _w(
                r"not my (question|problem|issue)|wrong (answer|issue|problem)|irrelevant|"
                r"nothing to do with (my|what i)|"
                r"off[- ]topic"
            ),
            4,
        ),
    ],
    "sug.ui": [
        (
            r"界面|介面|按钮|布局|字体|字太小|图标|配色|排版|入口|不好找|找不到入口|首页|菜单|页面|夜间模式|深色模式|太乱|太花",
            3,
        ),
        (r"颜色|设计|位置|太小|太大|遮挡|挡住|挡了|栏", 1),
        (r"选单|设定|整理一下|层级|(要|得)点[几\d一二三四五六七八九十]+(层|下|次)", 2),
        (
            r"字号|皮肤|主题|横屏|竖屏|全屏|手势|红点|弹窗|太丑|不好看|美观|简洁|排列|顺序|导航|侧边栏|藏得太深|挪到|移到|放到|显示方式",
            2,
        ),
        (
            _w(
                r"ui|interface|layout|buttons?|fonts?|icons?|menus?|home ?page|colou?rs?|"
                r"design|cluttered"
            ),
            3,
        ),
        (
            _w(
                r"dark mode|night mode|hard to find|text size|too small|panel|cover(s|"
                r"ing)? the (video|screen|stream)"
            ),
            3,
        ),
        (
            _w(
                r"theme|tabs?|navigation|sidebar|pop-?ups?|settings page|easier to find|"
                r"move the|bigger|smaller|font size|ugly|simpler|cleaner|landscape|"
                r"full ?screen|swipe"
            ),
            2,
        ),
    ],
    "sug.feature": [
        (r"新功能|功能|模式|选项|开关", 1),
        (_w(r"option|feature|mode|ability|setting"), 1),
    ],
}

# Support staff and ticket references: svc.* cues only count next to one.
SUPPORT_REF = Phrases(
    r"客服|人工|工单|售后|小二|专员|你们|回复我|回我|处理我|官方|答复|回复说|电话|服务|反馈了|反映了|回信|申诉|"
    r"热线|等回复",
    r"support|agents?|customer service|service desk|tickets?|staff|representative|rep|"
    r"helpdesk|help desk|help cent(er|re)|cs team|your team|you guys|customer care|the person|"
    r"replied|reply|"
    r"service|response|they told me|he told me|she told me|emailed|email|hotline",
)

# A suggestion, not a complaint; excludes "建议你们赶紧修复" which is a complaint.
SUGGESTION = Phrases(
    r"(?<!的)建议(?!我|您|你们?(赶紧|尽快|马上)?(修|解决|处理|查))|"
    r"能不能(加(?!快|速|急)|出(?!来)|增加|做个|做一个|添加|有个|有一个|支持|开放|按|别|把|显示|改|换(?!个?(人|客服|专员|人工))|简化|"
    r"优化|放|排序|分类|收起)|(改进|优化|简化)一下|(做|调|改)(大|小)一点|"
    r"可以(出|加|增加|做|添加|开放)(一个|个|一下)?.{0,20}(吗|嘛|么)|可不可以(加|出|增加|做|有)|"
    r"希望(能|可以)?(增加|新增|加上?|出|添加|有个|有一个|支持|开放|推出|优化)|希望(能|可以)(设置|自定义|屏蔽|关闭|选择)|"
    r"(加|增加|添加|新增|出)(一个|个).{0,16}(功能|模式|选项|按钮|开关|入口)|要是(能|有).{0,20}就好|"
    r"能否(增加|添加|加|支持|出)|求(加|出|增加)|许愿|提个建议|提议|如果(能|可以).{0,24}就好|就更好了|"
    r"为什么(没有|不能|不可以)(加|出|增加|有)?.{0,12}(功能|选项|模式|开关)|什么时候(能|会)?(出|加|上线|支持)|"
    r"希望(你们)?(能|可以)?(改|改成|做成|调|换成|多出|多加)|(能|可以)加个|请(增加|添加|加上?)|期待(出|加|上线)|"
    r"应该(加|增加|出|做)(一个|个)|想要(一个|个).{0,12}(功能|模式|选项)|有没有可能(加|出)",
    r"(please|pls|plz) add(?! (my|the|back|it|them))|(redesign|rearrange|reorder|sort) (please|it)|"
    r"add [a-z -]{2,30} (please|pls|plz)|"
    r"please (redesign|move|sort|show|let)|"
    r"would be (nice|great|cool)|feature request|i suggest|"
    r"suggestion|"
    r"could you (add|make|build|support)|can you (add|make|build)|it would be (great|nice|"
    r"good)|"
    r"wish (there was|there were|you would|you could|i could)|add an option|add a|"
    r"would love (a|an|to see)|why not add|consider adding|you should add|"
    r"(it'?d|it would) be (nice|great|cool|helpful|better)|i wish|hope you (add|make|can add)|"
    r"how about (adding|a)|please (make|let|allow|give)|(need|want) (an? )?(option|ability|"
    r"way|setting) to|"
    r"let (us|me|users) (choose|change|turn|hide|set|pick|customi[sz]e)|allow (us|me|users) to",
)

_DEVICE = r"phone|tablet|laptop|pc|ipad|computer|tv"
# Someone other than the writer, as an English subject.
_OTHER_PERSON = (
    r"he|she|they|others|everyone|everybody|people|ppl|friends?|brother|sister|mom|mum|dad|wife|"
    r"husband|roommates?|coworkers?|colleagues?|streamers|users|viewers|cousins?|sons?|daughters?|"
    r"guys|folks|bf|gf|boyfriend|girlfriend|partner|neighbou?rs?"
)
# "A group of users", not one person: raises the priority of the subtype. Many
# rooms stuttering for ONE user ("换了几个直播间都卡") is still that user's
# network; many rooms silent or black points at the platform.
# Outside sources ("热搜", "down detector", "tons of posts") count as a group.
_PEOPLE = (
    r"朋友|好友|同事|室友|舍友|同学|家人|老婆|老公|闺蜜|对象|男朋友|女朋友|兄弟|姐妹|爸妈|妈妈|爸爸|"
    r"孩子|儿子|女儿|媳妇|爱人|老妈|老爸|老乡|邻居|网友|同行|群友|队友|同桌|男友|女友|隔壁|他们|她们|屋企人|"
    r"我(妈|爸|姐|哥|弟|妹|老婆|老公)的?(手机|号|账号|帐号|平板|电脑|ipad)"
)
_SOURCES = (
    r"微博|超话|贴吧|小红书|抖音|推特|论坛|评论区|主播群|群组|家族群|公会群|行业群|交流群|群里|朋友圈|网上|"
    r"商店|tg群|" + _w(r"ptt|threads|app ?store|play ?store|telegram|discord|reddit|twitter")
)
# Counted people, accounts or posts: "二十几个主播", "十几个号", "几百条", "五百人".
_MANY = (
    r"(几十|十几|二十几|三十几|二十|三十|四十|五十|好几十|几百|上百|数百|上千|成百上千|七八|五六|十来|一排|一整排|一堆|一群|一批|大批|"
    # Not a clock time, a date or a card's last digits ("21:40在主播", "尾号3321").
    r"无数|(?<![\d:：.])(?<!前面还有)(?<!前面有)\d{2,}(?![:：.]\d))\s?(多|来|几)?(个|位|名|台|条(?=视频|帖子))?(大|小|老|新|粉丝)?"
    r"(?<!尾)(人|主播|(?<!\d)号|账号|帐号|用户|同学|同事|实况主|机器|电脑|手机|大哥|老板|金主|"
    r"视频|帖子|streamer|creator)|(几十|几百|上百|数百|上千)条|"
    r"((?<![\d.:：])[3-9]|[三四五六七八九])个(人|朋友|同学|同事|主播|号|账号|帐号|姐妹|兄弟|室友|舍友|闺蜜|大哥|老板)|"
    r"(好几|几|很多|好多|一堆)个(大哥|老板|金主|土豪)|一半(的)?(人|主播|用户)|半数"
)
# A group that the writer is part of, taken as a whole: "全公司", "整个直播基地".
_GROUP = (
    r"公司|办公室|班|宿舍楼|楼|基地|直播基地|战队|公会|工会|家族|粉丝团|mcn|经纪公司|部门|运营部|学校|网吧|"
    r"小区|城市|团队|工作室|俱乐部|主播群组|主播群|群组|群|team|guild|group|crew"
)
WIDESPREAD_STRONG = Phrases(
    r"全平台|整个平台|平台.{0,4}(挂|崩|炸|宕|瘫)|大面积|全站|全服|全国|各地|全网|所有主播|很多主播|好多主播|"
    r"好几个主播|其他主播也|别的主播也|主播们都|所有直播间|全部直播间|每个直播间|哪个(直播间|房间)都|"
    r"(你们|app|软件|服务器)(是不是|是否)?又?(崩|挂|炸|宕)了|陆续有人|"
    r"(你们|平台|服务器|系统)(那边)?(是不是|是否)?出(故障|问题)了|"
    r"(有人|好多人|很多人|不少人)(在)?(报|反馈|反映)|(主播|用户)(们)?(好多|很多|大多|大部分|一半)都|"
    r"其他直播间也|别的直播间也|所有房间|每个房间|服务器.{0,3}(崩|挂|炸|宕|出问题|瘫|的问题)|宕机|集体|"
    r"(所有|全部|每个|任何|各个|各大)的?(直播|实况|主播|房间|频道)|哪个(直播|实况|主播)都|谁的直播都|全体|"
    r"(好几个|几个|很多|好多|不少|多个|各个|各大).{0,3}(主播|实况主|streamer).{0,8}(都|也|同时|一起)|"
    r"(主播|实况主)(好几个|好多|很多|不少|几个)都|"
    r"(其他|别的)(直播间|房间|主播|实况主|分区)的?.{0,6}(也|都)(?!不(卡|黑|会)|没(问题|事)|正常|好好|能|可以|有声|有画面)|"
    r"(好几|几|很多|好多|多)个(直播间|房间)的?(弹幕|评论|公屏)(都|也)在(问|说|刷|骂)|"
    r"(其他|别的)[^，。！？,.!?]{0,16}streamers[^，。！？,.!?]{0,4}(都|也)|(各个|所有|每个)分区|整个首页|首页.{0,8}(都|全)|"
    # Many rooms silent or black is the platform, unlike many rooms stuttering.
    r"(十几|几十|好几|多|很多|好多|[三四五六七八九十]|\d+)个(不同的?)?(直播间|房间|分区|主播)[^。！？!?]{0,8}"
    r"(黑|没声|没有声|无声|哑|打不开|进不去|静音)|"
    r"(这个区|这边|这里|本地|我们这)的?(主播|人|用户)都|"
    r"没有一个(直播间|直播|主播|房间)|一个(直播间|直播|房间)都|批量|"
    r"(他们|她们|别人|其他人)的?直播间(的观众|里)?.{0,3}(也|都)|"
    r"(主播|朋友|人|用户|同事|同学)[^，。！？,.!?]{0,3}没有?一个(能|成功|可以|开|进|登|收|拿|到)|"
    r"问了[^，。！？,.!?]{0,6}(好几个|几个|很多|好多|不少)(?!客服|人工|工作人员)[^。！？!?]{0,10}(都|全)|(刷|看|逛|翻)了一圈|(随便|不管)?点?哪个都|"
    # Checked with other rooms or guilds: "我跟其他三个公会的主播确认过了".
    r"(跟|和|同|与)(隔壁|其他|别的|另外)[^，。！？,.!?]{0,6}(主播|公会|工会|家族|直播间)[^。！？!?]{0,4}(对了一下|对过|确认|核对|问过|聊过)|"
    r"不止一个(房间|直播间|主播|号|账号|帐号|公会|城市|地方)|(十几|几十|好几|很多|好多|[三四五六七八九十]|\d+)个(人)?(都|也)?中招|"
    r"(?<!我看)(?<!我看的)(直播|直播间)(是不是)?(全都|全部|全|都)(是)?(没声|没有声|黑|哑|打不开|崩|挂|静音)|(全|都)(没声|哑)了|全崩了|"
    r"整个(app|软件|应用|平台)|全app|"
    r"所有用户|全部用户|大量用户|很多用户|好多用户|其他用户|别的用户|用户都|多个用户|大批用户|"
    r"到处都(有人|是|在)|热搜|一搜一大片|不是个例|不是个别|非个例|同款问题|全军覆没|问了一圈|"
    r"谁都(进不|登不|看不|用不|送不|发不|连不|开不|不行|没)|没有一个(主播|人|用户)|一个都(进不|登不|不行)|"
    r"全(公会|工会|家族|团队)|(公会|工会|家族|主播圈|圈子)里?"
    # Not the guild's own rules: "公会考核的时长都凑不够".
    r"[^，。！？,.!?考时任]{0,6}(都|全|一片|一堆|传开)|整个?(区|地区|城|城市|省)(都|全|是不是)|"
    r"(" + _SOURCES + r")[里上]?.{0,4}(都是|全是|一大片|一片|一堆|到处|好多人|很多人|刷屏|都在|"
    r"炸了|炸锅)|"
    r"(?<!我的)(?<!我家)主播(们)?都在(骂|吐槽|抱怨|说|问|喊|反映|反馈)|全挂了|"
    r"宿舍.{0,4}(都|全)|"
    r"(整个|整栋|整间|全|全体|各个|各大)("
    + _GROUP
    + r"|fan ?club)|我们.{0,6}("
    + _GROUP
    + r").{0,10}(都|全|没人|没一个)|"
    r"("
    + _SOURCES
    + r").{0,10}(一堆|一大堆|好多|很多|全是|全在|都在|一整串|一水的|冒出|刷屏|同款|吐槽|"
    r"抱怨|骂|在问|都说|都在说|trending|blowing up|full of|flooded)|"
    r"个个都|每个人|人人|全员|没一个(人|主播)?.{0,3}(能|开|进|登|领|看|得)|没人(能|领|开|进|登|看)得?|"
    r"(另一个|别的|其他)(省|城市|州|国家|学校)|外地的?",
    # Members of a group beyond the writer's room: "people in our server ... all paid".
    r"(multiple|several|many|lots of|a lot of|a bunch of|some) (members|people|folks|users|ppl) "
    r"(of|in|from|on) (our|my|the)|"
    r"(members|people|folks|users|ppl) (of|in|from|on) (our|my) ([a-z]+ )?(server|discord|group|"
    r"community|guild|agency|chat|team)\b[^.!?]{0,40}\b(say|said|saying|all|too|also|report)|"
    r"all (the )?streamers|every (streamer|stream|room|channel|live|creator|host)|"
    r"half (of )?(the|all|our) (platform|app|site|users|streamers|creators|hosts|"
    r"server|discord|guild|agency)|"
    r"(all|every)( the)?( live)? (rooms?|streams?|channels?|lives|broadcasts?)|"
    r"other (streams|rooms|channels)( too| also| as well)|whole (app|platform|site|"
    r"service)|entire (app|platform|site)|"
    r"platform[- ]?wide|widespread|outage|servers? (is |are )?down|on other phones|"
    r"no (streamers|creators|hosts|users|one|body) (can|could|is able)|left and right|"
    r"(nobody|no one) in (any|all|every)|(nobody|no one|everyone|everybody) in (the )?"
    r"(\d+|two|three|four|five|several|multiple|different) (rooms|streams|channels)|"
    r"other (agencies|guilds|families|teams|regions|countries)|"
    r"(several|many|most|some|a few) of (my|our) (friends|mods|viewers|fans|followers|hosts|"
    r"streamers|members|colleagues|coworkers|roommates|family|team|guys|people|users)|"
    r"(streamers|users|creators|hosts|people|viewers) (across|all over)|"
    # Not "300 ppl in chat": one room's audience.
    r"\d+\+? (comments|posts|replies|reports|people|ppl|users|accounts)"
    r"(?! in (the |my |our )?(chat|room|stream|live))|"
    r"(are|is) (you|you guys|u|ur app|the app|the site|payment|payments|login|it) down|"
    r"other phones too|different phones too|"
    r"(all|many|other|multiple|several)( the)?( [a-z]+)? (users|"
    r"streamers|creators|hosts|accounts)|"
    r"(a lot of|lots of|so many|hundreds of|tons of|loads of|dozens of|(a )?bunch of) (users|"
    r"streamers|accounts|people|ppl|posts|tweets|complaints|reports|creators)|"
    r"across the (app|platform)|down ?detector|status page|"
    r"mass (hacks?|bans?|logouts?|outages?)|"
    r"(twitter|weibo|reddit|discord|x|tiktok) (is )?(full of|blowing up|flooded)|"
    r"(none|no one|nobody) (of|on|in) (my|our|the) ([a-z0-9]+ )?(team|friends|streamers|hosts|"
    r"group|guild|server|discord|community)|not a single (live )?(room|stream|channel)|"
    r"(same|happening|happens)( thing)? (here )?(for|to|with) "
    r"(her|him|them|my (" + _OTHER_PERSON + r"))\b|"
    r"((my|our|the) )?(whole|entire) ([a-z]+ )?(guild|family|team|"
    r"group|agency|crew|server|discord|fan ?club|"
    r"office|class|community|club|school|company)|(different|diff) (cities|countries|phones|"
    r"devices|creators|streamers|channels)|"
    r"dozens|a dozen|at least \d+|\d+ (person|people|ppl|of us|streamers|creators|hosts|users|"
    r"accounts)(?! in (the |my |our )?(chat|room|stream|live))|"
    r"every (collab|live|stream|channel) i (watched|opened|checked|tried)|across the board|"
    r"wave of|(theirs|they) (did|do|are|were) too|(kids|"
    r"people|everyone|students|guys) at (my|our) "
    r"(school|work|office|uni|college)|(is|are) trending|"
    # Not "a login from a device in another country": where the thief was.
    r"(?<!device )(?<!login )(?<!logged in )(?<!ip )(?<!signed in )"
    r"in another (state|city|country|province)|reviews (are|today)",
)
# The platform itself admits the fault: many users, even if others around the
# writer are fine or the writer's own case is still open.
OFFICIAL = Phrases(
    r"官方.{0,10}(出来|说明|回应|解释|公告|通知|在查|排查|致歉|道歉|在修|修复中)|官号|公告说|"
    # Not "官方说是我网络的问题": what support told one user.
    r"官方.{0,10}(说|发了).{0,10}(异常|故障|维护|修复|排查|在修|服务器|bug|公告|通知|微博|致歉|道歉)",
    r"officially|investigating|(official|status) (page|account|twitter|announcement|post)|"
    r"known (issue|outage)|acknowledged the (issue|outage|problem)",
)
WIDESPREAD = Phrases(
    r"大家(都|也|全)|大家的(手机|号|账号|帐号|直播|app|软件|设备)|是不是又?(崩|挂|炸|宕机)了|大家.{0,6}都|认识的人(全|都)|(好多|很多|不少|一堆)[^，。！？,.!?]{0,6}的人(都|也)|"
    r"至少[\d一二两三四五六七八九十几]+个?(人|主播|号|账号|帐号|用户)|很多人|好多人|许多人|不少人|好些人|挺多人|一堆人|一群人|大批人|所有人|多人(?!连|视频|直播|pk|语音|房|同屏)|"
    r"其他人|别人也|别人都|别人的?(手机|号|账号|帐号|设备|电脑|平板|ipad)[^，。！？,.!?]{0,8}(也|都|同样)|(很多|好多|大量|一堆|不少)[^，。！？,.!?]{0,3}用户|身边.{0,8}(人|朋友|主播|的)(都|也)|几个.{0,6}(主播|"
    r"streamer|同事|同学)|周围的人|(很多|好多|好些|大量|一堆)(user|用户)|"
    r"(两|三|四|五|几|好几|多)台(手机|设备|电脑|机器).{0,8}(都|全)|群里(的人)?(都|也)|群友|我们(都|几个|全)|"
    # Not "公会的人让我找客服": the guild's people must share the fault.
    r"公会(里|的)?(其他|别的)?(人|主播|成员|姐妹|兄弟|小伙伴|大家)[^，。！？,.!?]{0,6}(都|也|全)|"
    r"(几|好几|多|其他|别的|隔壁)家?(公会|工会)|各自的(手机|账号|帐号|设备)|"
    r"另外(两|三|四|几|好几)(位|个(人|朋友|同事|同学|主播|号|账号|帐号))|"
    # Not "我跟我妈说了": the other person must have the fault too.
    r"我(跟|和|同|与)我?的?("
    + _PEOPLE
    + r"|妹|姐|哥|弟|妈|爸)[^。！？!?]{0,10}(都|也|两|俩|各自|分别)|"
    r"不止我|不只我|不止一个人|(两|三|几)个人(都|也|全)|不是我一个|不是只有我|都在说|都反映|"
    r"人人都|好几个人|"
    + _MANY
    + r"|几个朋友|不光我|不仅是?我|不单是?我|也有人|有人也|评论区都|公屏都在|弹幕都在说|"
    r"(" + _PEOPLE + r")[^，。！？,.!?;；]{0,10}(也|都|同样)|我这(边|里)?也(是|一样)|"
    # "我在北京,朋友在广州,都打不开": places named, then one verdict for all.
    r"(" + _PEOPLE + r")在[^，。！？,.!?]{1,6}[，,]都|"
    r"我和我?的?(" + _PEOPLE + r")[^，。！？,.!?]{0,4}都",
    r"everyone|everybody|many people|lots of people|a lot of (people|us)|so many people|"
    r"(other|more) (people|users)|others( too| also| as well| have| are)|"
    r"people are (saying|complaining|reporting|having|getting|seeing|facing|experiencing)|we all|"
    r"my ([a-z]+ )?friends|friends (too|also|"
    r"as well)|me and my (friends|guys|crew|squad|family|team|roommates|people)|my friends and i|"
    r"not just me|not only me|nobody can|no one can|all of us|plenty of people|several people|"
    r"(none|neither|both|each) of us|"
    r"(\d+|two|three|four|five|six|several|a few) "
    r"(of us|friends|coworkers|colleagues|roommates|people|ppl)|"
    r"me and my (wife|husband|gf|bf|girlfriend|"
    r"boyfriend|brother|sister|mom|dad|roommate|friend)|"
    # Another person must have it: "I keep getting the same error" is one user.
    r"(?<![a-z])(" + _OTHER_PERSON + r")( [a-z]+){0,2} (has|have|had|having|got|get|gets|getting|"
    r"hit|hits|see|sees|saw|seeing) the same (thing|problem|issue|error|bug|message)|"
    r"many (viewers|reports|complaints)|lots of (reports|complaints)|anyone else|"
    r"(ppl|people) (are |r )?(saying|complaining|reporting|posting)|for anyone|"
    # "my friend can't either", not "stickers won't load either".
    r"(?<![a-z])(" + _OTHER_PERSON + r")( [a-z']+){1,5} either(?=\s*($|[.!?,;]))|"
    r"anybody else|mine too|my phone too|me too|all (say|said|saying|complaining)|"
    # Not "my mom's phone shows a black box": the writer may be using it.
    r"my (wife|husband|brother|sister|mom|dad|son|daughter|roommate|friend)'?s? (phone|device|"
    r"ipad|tablet|account)[^.!?;]{0,40}\b(too|also|as well|same|either|doing|does|did)\b|"
    r"(her|his|their) (phone|ipad|tablet|account|device|laptop)s? (too|also|as well)",
)
# Everyone inside ONE room watching one stream, or both sides of one co-host
# session, is still a single-scope issue.
ONE_ROOM = Phrases(
    r"这个直播间|这个房间|这个主播|这个实况主|我家主播|我家的主播|该直播间|该主播|我的直播|我直播间|我的观众|我的粉丝|"
    r"我(今晚|今天|昨晚|昨天|刚才)的直播|(?<!其他)(?<!别的)观众(们)?(都|也)|"
    r"(?<!其他)(?<!别的)粉丝(们)?(都|也|(跟|和|给|对)我说)|直播间里?的(人|观众|粉丝)|同一个直播间|只有这个|(?<!另)一个直播间|某个直播间|某主播|"
    r"两个主播|双方|对方|对手|(她|他|主播)那边的?(问题|网|设备)|我们俩(?=.{0,6}(连麦|pk|一起播))|我和对方|连麦的|(?<!追)(?<!关注)(?<!关注了)同一个主播|人在线|在线人数|整个直播间|整个房间|我们直播间|我们房间",
    r"this (room|stream|channel|streamer|broadcaster)|my (viewers|fans|audience|stream|"
    r"room|channel)|"
    r"(his|her|their) (room|stream|channel)|one (room|stream|channel)|only (this|"
    r"one) (room|stream)|"
    r"in the room|viewers in|both of us|the other (host|streamer)|my guest|one streamer'?s?|"
    r"in (that|the|this) chat|the (room|stream) i (was|am|'m) watching",
)
# "大家都看不到我的弹幕": many people perceive ONE user's problem.
SELF_OBJECT = Phrases(
    r"(看不到|看不见|听不到|听不见|收不到|听不清|看不了)(我|我的)|(发出去|发的).{0,6}(看不到|看不见)|(都|也|一直|来)(问我|找我|说我)|"
    r"收到我的|我的(账号|帐号|号)(发|给)|(向|找|给)我的?(朋友|好友|家人)|我的?(朋友|好友)(借钱|要钱)|(登不上|登不进|进不去)我的",
    r"(can'?t|cannot|couldn'?t|don'?t|do not|won'?t) (see|hear|get) (me|my)|"
    r"(asking|messaging|telling) me|from my account|(can'?t|cannot) see (them|it)|"
    r"(asking|asked|messaging|messaged|scamming|scammed|texting|dming)( [a-z]+){0,2} my friends|"
    r"(my|mine) [a-z ]{0,20}(don'?t|doesn'?t|do not|does not|never) (show|appear)",
)
# Others explicitly unaffected: the writer alone has the problem.
ONLY_ME = Phrases(
    r"(?<!不是)(?<!不止)(?<!不只)只有我|是不是只有我|(?<!不会)(?<!难道)就我一个|就我自己|就我的|(?<!不是)(?<!不会)(?<!难道)就我(?!们)|"
    r"我的(手机|号|账号|帐号|设备|平板|电脑)?(还|却|就)?没|(就|只有)这一个|(以前|之前|上次)也(遇到|碰到|有过|出现)|"
    r"(别人|其他人|大家|朋友|同事|家人|他们|群友|别的主播|其他主播|别的直播间|其他直播间|其他房间|别的房间|其他(应用|app|软件)|其他台|别的台|"
    + _PEOPLE
    + r")"
    r"[^，。！？,.!?]{0,12}(都|也|就)?(正常|没问题|没事|好好的|可以看|能看|能登|都能|都到了|就能|有声|有画面|是有的|是好的|是?高清|清楚|流畅|"
    r"听得见|听得到|看得见|看得到|能听到|能看到|有收到)|"
    r"(所有|每个|全部|哪个)的?(直播间|房间)(都)?(把我|被)(禁言|拉黑|踢)|(在|被)(所有|每个|全部)的?(直播间|房间)(都)?(被)?(禁言|拉黑)|"
    r"(别的|其他)(直播间|房间|主播)都有(声|画面)|(登|用|上)我的?(号|账号|帐号)|"
    r"应该是我(家|的|这边)|同一个(账号|帐号|号)|我(家|这边)的?(网|网络|wifi|路由)|"
    r"(切|换)(换|成|到)?(4g|5g|流量|wifi|网络|网).{0,3}就(好|正常|可以)|"
    r"(手机|平板|电脑|ipad)上?(都|就|是)?(正常|好的|没问题|能看)|重启.{0,8}(好了|恢复|正常)",
    r"(?<!not )(only me|only for me|just for me|(?<!it )just me|just my (account|acct|phone))|"
    r"works (fine )?for (everyone|everybody|others|my friends)|"
    r"(others|everyone else|my friends|other people|"
    r"other (streamers|streams|rooms|users|channels)( (in|on|from) (my|our|the) [a-z]+)?|"
    r"(everyone else|other people)'?s?( [a-z]+)?) "
    r"(are|is|seem|seems|look|looks|work|works|show|shows) (fine|ok|okay|normal)|"
    r"everyone else[^.!?]{0,60} (but|and|while) (i|me|mine)|"
    # The writer's own devices listed together: "my phone, tablet and laptop".
    r"my (" + _DEVICE + r")(,? (and|&) |, )(my )?(" + _DEVICE + r")|"
    # One user muted or banned everywhere: "got muted in every room".
    r"(muted|banned|blocked|kicked|silenced) (in|from) (every|all|any)( the)? (rooms?|streams?|"
    r"channels?|chats?)|"
    r"mine (is|was) still|but mine|(?<!not )(just|only) mine|"
    # Another person's phone, app or account working: "my partner's app works fine".
    r"\b(others|other (streamers|users|hosts|people|creators|viewers|accounts)|everyone else|"
    r"(my )?(" + _OTHER_PERSON + r")'?s?)\b[^.!?;]{0,30}\b(fine|normally|no problem|"
    r"(has|have|had) (sound|audio|coins))\b|except (me|mine)|only on my|only my|"
    r"on my (tablet|phone|laptop|pc|ipad|tv|computer)|(can|could) watch (fine|on)|"
    r"(restarted|rebooted) .{0,30}(came back|works|fixed)|fine on my|"
    r"(my )?(phone|laptop|tablet|pc|ipad|computer) (is|works) fine|(got|get) (paid|it) but|"
    r"other [a-z]+( [a-z]+){0,4} got (paid|theirs)|(got|received|have) theirs|"
    r"(got|get) paid( out)?[^.!?]{0,10}(mine|but)",
)
