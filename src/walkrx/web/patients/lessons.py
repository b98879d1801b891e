"""Short lessons for patients, written for walkrx in plain words.

Kept as data so that pages, tests and translations read the same text. Each lesson is a
few short sections; a section marked ``urgent`` is shown as a red safety panel.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...] = ()
    points: tuple[str, ...] = ()
    urgent: bool = False


@dataclass(frozen=True, slots=True)
class Lesson:
    slug: str
    title: str
    summary: str
    minutes_to_read: int
    sections: tuple[Section, ...]


LESSONS: tuple[Lesson, ...] = (
    Lesson(
        slug="why-walking-helps",
        title="Why walking helps a bad back",
        summary="Walking is one of the simplest, safest things you can do for your back.",
        minutes_to_read=3,
        sections=(
            Section(
                "Your back likes to move",
                paragraphs=(
                    "When your back hurts, resting can feel like the right thing to do. "
                    "But a back that is kept still tends to get stiffer and weaker. Gentle, "
                    "regular walking keeps it moving without strain.",
                    "People with back pain who walk a little more, week by week, often find "
                    "that bad spells come less often.",
                ),
            ),
            Section(
                "Stronger muscles, better posture",
                paragraphs=(
                    "Every step uses the muscles of your tummy, back and hips to keep you "
                    "upright. Walking often makes these muscles stronger, and strong muscles "
                    "support your spine and help you stand and sit more comfortably.",
                ),
            ),
            Section(
                "A calmer mind",
                paragraphs=(
                    "Pain and worry feed each other. A walk outside lifts your mood, eases "
                    "stress and helps you sleep, and all of that can make pain easier to "
                    "live with.",
                ),
            ),
            Section(
                "Gentle on your body",
                paragraphs=(
                    "Walking is low impact: there is no jumping or twisting, and you choose "
                    "the pace. You need no special kit, just comfortable shoes.",
                ),
            ),
            Section(
                "Good for your blood flow",
                paragraphs=(
                    "Walking gets your heart pumping and your blood moving. Good blood flow "
                    "brings oxygen and nourishment to the muscles and joints of your back, "
                    "which helps them recover.",
                ),
            ),
            Section(
                "Helps with weight",
                paragraphs=(
                    "Walking uses energy. Over weeks and months it can help you reach or "
                    "keep a healthy weight, and carrying less weight puts less load on your "
                    "back. Your Progress page shows the energy your walks used.",
                ),
            ),
        ),
    ),
    Lesson(
        slug="start-small",
        title="Start small and build up",
        summary="Why your plan starts short and grows a little each week.",
        minutes_to_read=2,
        sections=(
            Section(
                "Small steps win",
                paragraphs=(
                    "Your plan starts with short walks on purpose. Doing a little, often, "
                    "is better than one long walk that leaves you sore for days.",
                ),
            ),
            Section(
                "Your plan grows with you",
                paragraphs=(
                    "Each week walkrx looks at the walks you logged and how your back felt. "
                    "If the week went well, your walks get a little longer. If your back "
                    "was sorer, the plan stays the same or eases off for a while. Your "
                    "clinic checks every change.",
                ),
            ),
            Section(
                "Tips that help",
                points=(
                    "Walk at a pace where you can still talk.",
                    "Stick to the minutes in your plan, even on a good day.",
                    "Log every walk, with your pain before and after. It only takes a minute.",
                    "Some soreness after a walk is normal. It should settle by the next morning.",
                    "Missed a day? No problem. Just take your next walk as planned.",
                ),
            ),
        ),
    ),
    Lesson(
        slug="everyday-walking",
        title="Walking in everyday life",
        summary="Easy ways to fit more walking into a normal day.",
        minutes_to_read=2,
        sections=(
            Section(
                "Every bit counts",
                paragraphs=(
                    "Walking does not have to be a special outing. Small changes to your day "
                    "add up, and they help you get back to the things you enjoy.",
                ),
            ),
            Section(
                "Ideas to try",
                points=(
                    "Park a little further away from the shop or work.",
                    "Get off the bus one stop early.",
                    "Take the stairs for one floor instead of the lift.",
                    "Walk to a neighbour's, the post box or the corner shop.",
                    "Walk while you talk on the phone.",
                    "Stand up and move around every half hour when you sit for long.",
                ),
            ),
            Section(
                "Split a walk in two",
                paragraphs=(
                    "If a long walk is too much today, split it: two walks of 7 minutes "
                    "count the same as one walk of 14 minutes. Log each one.",
                ),
            ),
        ),
    ),
    Lesson(
        slug="flare-ups",
        title="What to do in a flare-up",
        summary="A flare-up is a spell when your back is much worse than usual. Here is "
        "what helps.",
        minutes_to_read=2,
        sections=(
            Section(
                "Flare-ups are common",
                paragraphs=(
                    "Most people with back pain have a flare-up now and then. It can be "
                    "scary, but it usually settles within days. It rarely means new damage.",
                ),
            ),
            Section(
                "What helps",
                points=(
                    "Keep moving gently. Short, easy walks help a flare-up settle.",
                    "Make your walks shorter, for example two or three walks of a few minutes.",
                    "Do not stay in bed. Lying down for long makes your back stiffer.",
                    "Change position often: sit, stand and move around.",
                    "Tell walkrx: answer yes to \u201cflare-up\u201d in your morning check-in. "
                    "Your plan will ease off for a while.",
                ),
            ),
            Section(
                "Check for warning signs",
                paragraphs=(
                    "Every time you have a flare-up, answer the weekly warning-sign check. "
                    "It takes two minutes and makes sure nothing serious is missed.",
                ),
            ),
            Section(
                "Getting back on track",
                paragraphs=(
                    "When your back is back to how it usually is, your plan builds up "
                    "again, step by step.",
                ),
            ),
        ),
    ),
    Lesson(
        slug="warning-signs",
        title="Warning signs that need a doctor",
        summary="Rarely, back pain is a sign of something serious. Know what to look out for.",
        minutes_to_read=2,
        sections=(
            Section(
                "Call emergency services now if you have any of these",
                points=(
                    "New trouble passing urine, leaking urine, or not feeling when you need to go.",
                    "New trouble controlling your bowels.",
                    "New numbness or tingling between your legs or around your bottom.",
                    "Pain, numbness or tingling in both legs.",
                    "Legs getting weaker quickly, or walking getting harder day by day.",
                    "Fever or shivers and feeling very unwell, with your back pain.",
                    "Back pain after a serious accident or fall.",
                ),
                paragraphs=(
                    "Stop walking. Call your local emergency number or go to the nearest "
                    "emergency department. Do not wait for your clinic to call you.",
                ),
                urgent=True,
            ),
            Section(
                "Contact your doctor within a day if you have any of these",
                points=(
                    "One leg or foot has become weak.",
                    "You have lost weight without trying.",
                    "Pain that is there all night and does not ease when you change position.",
                    "Back pain after a small fall or knock, if you have thin bones or take "
                    "steroid tablets.",
                ),
            ),
            Section(
                "Tell your clinic at your next visit",
                points=(
                    "New pain, numbness or tingling spreading into one leg.",
                    "Pain in your feet, knees or hips since you started walking more.",
                ),
            ),
            Section(
                "The weekly check",
                paragraphs=(
                    "walkrx asks about these signs in the weekly warning-sign check. If you "
                    "answer yes to a serious sign, walkrx pauses your plan and tells your "
                    "clinic straight away.",
                ),
            ),
        ),
    ),
)

LESSONS_BY_SLUG = {lesson.slug: lesson for lesson in LESSONS}
