"""Build emoji5_{train,dev,test}.csv: short sentences written for this course, five emoji classes.

Every sentence below was written by the project for notebook 07 (emojify);
none is taken from another data set. Labels:

    0 heart (love, affection)      1 baseball (sports, games)
    2 smile (happy, fun)           3 disappointed (sad, let down)
    4 fork and knife (food, eating)

Labels 0, 2 and 3 mean what they mean in goemotions_emoji3_*.csv, so a model
trained here can be scored on that real-text set too. Sentences are lower
case, words separated by one space, no punctuation and no apostrophes ("do
not", "cannot"), and every word is in GloVe 6B's vocabulary. About one in ten
needs word order to be read right: negations ("i am not happy at all" is
sad), and words of one class used in a sentence of another ("my team lost
again" is sad, "i could not stop laughing" is happy).

Each class is split on its own with a fixed seed (TEST_PER_CLASS sentences to
the test set, DEV_PER_CLASS to the dev set for choosing settings, the rest to
training), so every split is balanced; rows are then shuffled.

A second batch of sentences (the *_MORE blocks, SECOND_BATCH_PER_CLASS per
class) goes to training only. It was written later, when a learning curve of
V2 (5-fold cross-validation on train + dev, trained on half, three quarters
and all of each training fold) still rose by about 3 points from three
quarters to all. It was written without reading the existing sentences, and
every sentence that shares half its distinct words or more with a dev or test
sentence (Jaccard index >= HELD_OUT_OVERLAP), or repeats a training sentence,
was dropped before it was added, so the dev and test splits stay as unseen as
before; they are unchanged, row for row.

Usage (from the repository root): python datasets/emoji/build_emoji5.py
then update datasets/SHA256SUMS. tests/test_emoji_data.py checks the result.
"""

import csv
from pathlib import Path

import numpy as np

SEED = 7
TEST_PER_CLASS = 25
DEV_PER_CLASS = 15
SECOND_BATCH_PER_CLASS = 55
HELD_OUT_OVERLAP = 0.5  # a second-batch sentence must share less than this (Jaccard) with every dev/test one
SECOND_BATCH_SEED = 8  # shuffles training after the second batch joins it (the first split keeps SEED's draws)
FOLDER = Path(__file__).resolve().parent

HEART = """
i love you
i love you so much
you are the love of my life
i miss you every single day
my heart belongs to you
i adore my little sister
we are getting married because we love each other
she said yes and i love her
happy anniversary my love
you mean the world to me
i cannot wait to hold you again
my grandmother is the sweetest person i know
he gave me roses and a kiss
i think i am falling in love with you
thank you for always being there for me
our first kiss was magical
i will always love my family
my dog is my best friend
i hug and kiss my mom every morning
you make my heart melt
i want to spend my whole life with you
my husband is so sweet to me
my wife is the most beautiful woman
i love my kids more than anything
we held hands and kissed all night
i have a crush on my neighbor and my heart races
he wrote me a love letter
i cherish every moment with you
my parents have been married for forty years
sending you hugs and kisses
i love you and i am lucky to have you
you are my sunshine
she is the girl of my dreams
i feel so loved and cherished by you
will you be my girlfriend
i love my cat
my brother and i are very close
you stole my heart
i dream about you every night
i love him deeply
we fell in love with each other in paris
my boyfriend surprised me with flowers
love is all we need
i care about you a lot
you are my soulmate
i missed your kisses while you were away
i would do anything for you
holding my newborn son fills me with love
i love spending sundays with my family
our wedding was the best day of our lives
i kissed her under the stars
my friends are like family to me
i love you more every day
i cannot imagine life without you
you are so dear to me
he is my one and only
we are a perfect couple
i want to marry you
my heart beats only for you my love
i really like you
she loves her puppy so much
i am in love
give me a big hug
i love my best friend
you complete me
i adore you
always thinking of you my sweetheart
i love that my sweetheart is coming home tonight
we have loved each other for ten years
he is the man i love
i love how you laugh
you will always have my heart
our love will last forever
i feel safe in your arms
my mother loves me unconditionally
i want to grow old with you
he is so romantic and loving
i blew you a kiss
my love for you is endless
i will never stop loving you
i never want to lose you
nothing could make me stop loving you
i do not want to live without you
no one loves you like i do
i love our little family
my dad is my hero
i am proud to be your wife
grandpa tells me he loves me every time we talk
loving you is the best thing that ever happened to me
she kissed me on the cheek
we cuddled and kissed on the couch
i am crazy in love with you
he is my everything and i love him
cuddling with you is my favorite thing
you light up my life
i have feelings for you
my twin sister means everything to me
i love you with all my heart
be my valentine my love
my fiance is the kindest man alive
i long to see you again
i treasure our friendship
i love you too
you have a special place in my heart
our honeymoon was romantic and full of love
he holds my hand and kisses me when i am scared
i fell for her the moment we met
my darling i love how you look tonight
all you need is love
i am devoted to you my dear
"""

BASEBALL = """
i want to play baseball
he hit a home run in the baseball game
we won the championship
let us play ball
the game starts at seven
she is the best pitcher on the team
i go to the gym every morning
he scored three goals tonight
the yankees won again
i am going to the stadium to watch the game
our team made the playoffs
we practice soccer on tuesdays
he plays basketball with his friends
the match went into overtime
i ran a marathon race last year
she swims laps every day
the coach called a timeout
we need a new shortstop
i bought tickets to the world series baseball games
tennis is my favorite sport
the quarterback threw a touchdown
they tied the game in the last inning
we watch football every sunday
the referee made a bad call
he threw a fastball
my son plays little league baseball
the umpire said strike three
we are going skiing this weekend
she won a gold medal
the olympics start next month
i need new running shoes
he is training for the race
the hockey season begins tomorrow
our volleyball team is undefeated
i caught the ball with one hand
he stole second base
the score is tied
let us go for a bike ride
she plays golf every weekend
we went bowling last night
he is a great baseball batter
the crowd cheered for the home team in the game
i watch the game every sunday
he can dunk the ball
the pitcher struck out ten batters
i joined a softball league
we played catch in the park
they signed a new player
the fans filled the stadium
i lift weights three times a week
she is the fastest runner in school
the race begins at noon
he kicked the winning field goal
i do yoga and lift weights before work
we are playing tennis at noon
the boxing match was intense
he won the tournament
our team needs a better defense
i pitched a perfect inning
the players are warming up
he broke the world record
she dribbled past three defenders
i cheer for the red sox
the season opener is on friday
we go jogging every evening
he hit the ball out of the park
i am on the swim team
the goalie blocked the shot
let us shoot some hoops on the basketball court
they play rugby in the rain
i watched the super bowl
the bases are loaded
he is the captain of the team
we trained hard for the match
she serves the ball really fast
i like to ski and snowboard in the mountains
the batter swung and missed
our coach is very strict
he runs five miles a day
let us go to the ball game
i am a big baseball fan
the team wore new jerseys
he skates on the ice every winter
we climbed the rock wall at the gym
she won the tennis match in straight sets
the league has twelve teams
i play first base
he threw the ball to home plate
the soccer game was rained out
i need to stretch before i run
he made the final shot at the buzzer
we are surfing at the beach tomorrow
she is an amazing gymnast and athlete
the cyclists raced up the hill
i got a new baseball glove
the runner slid into third
he plays for the national team
we won by two points
the tournament is next weekend
i want to be a professional athlete
he is not playing in the game tonight
we did not practice today because of the rain
nobody can beat our pitcher
the batter hit a double
i cannot wait for the baseball opening day
she trains for the triathlon
the fans booed the referee
i play hockey on saturdays
he dove to catch the ball
our relay team took first place
"""

SMILE = """
i am so happy
this is the best day ever
that joke was hilarious and made me laugh
i passed my exam and i am so happy
i got the job
you made me laugh so hard
what a wonderful surprise
i am in a great mood today
we had so much fun at the party
i cannot stop smiling
she told me a funny story
life is good and i am happy
i feel fantastic
the weather is beautiful today
we are happy to go on vacation tomorrow
yay it is friday and i feel happy
i won the lottery and i am thrilled
that movie was so funny
my presentation went really well
good news i got promoted
i am excited for the weekend
everyone laughed at his joke
the puppy made me giggle
i finally finished my project
today was awesome
this made my day
i feel like dancing
we laughed all night long
he has a great sense of humor
i am thrilled with the results
what a lovely morning
i aced the test and i am smiling
the kids were laughing and giggling all afternoon
i got a raise and i am so happy
that was the funniest thing i have ever seen
i am so glad and happy you came
she always makes me smile and laugh
hooray we did it
my birthday party was so much fun
i am having a fun and happy time
i feel great today
summer is finally here and i am glad
this is so exciting
i am proud of myself
the comedy show was amazing
we are celebrating tonight
i got accepted to college
everything is going my way and i am smiling
i woke up in a good mood
that cartoon is so funny
i am over the moon with joy
i am so happy my sister had a healthy baby
i feel so lucky and cheerful today
he told the funniest story
i am not sad anymore
nothing can ruin my good mood
i could not stop laughing
i have never been this happy
no more exams so i am happy
i am not worried at all
there is nothing to be sad about
i did not expect such a nice gift
the sun is shining and i feel good
my trip was a lot of fun
i am grinning from ear to ear
we had a fun time laughing at the beach
that is great news
i am delighted
you are so funny you make me laugh
the clown was hilarious and we laughed
i am cheerful today
i got concert tickets and i am excited
this song makes me happy
we are happy we just bought our first house
i feel so relaxed and happy
what a fun day
i just got good grades
everything worked out perfectly
my plan worked and i am glad
i am very pleased
the party was fantastic
she laughed at my joke
i have great news
i am ecstatic
the show made everyone laugh
i feel happy and on top of the world
i am feeling joyful
this funny video is the best
i am happy for you
that made me smile
we won a free trip and we are thrilled
i am so excited to see the fireworks
i laughed until i cried
today i feel amazing
my favorite band is coming to town
i am glad it worked out
the kids had a fun day at the zoo
i just heard the best joke
smile it is a beautiful day
happy days are here
i am in such a good mood
we are going to disneyland
i got a new puppy
this is hilarious
i feel so happy and free
our vacation was wonderful
finally some good news
i am pleased with my work
what a happy and joyful day
my joke made everyone laugh
"""

DISAPPOINTED = """
i am so sad
i feel lonely
this is the worst day ever
i failed my exam
i lost my job
my dog died and i am heartbroken
nobody came to my party
i am not happy at all
this is not funny
she does not love me anymore
we did not win the game
the dinner was not good
i am disappointed in you
i feel so down today
everything went wrong
i miss my old friends and feel lonely
my flight was canceled
i am heartbroken
it rained all day and i stayed home alone
i feel terrible
my phone broke
i did not get the job
the concert was canceled and i am sad
i cried all night
my team lost again
i am not in the mood to smile
nothing went right today
my grandfather passed away and i am sad
i am so tired of everything
he forgot my birthday and i cried
i am upset
what a terrible day
i got a bad grade
i am sad my best friend moved away
i feel empty
i am not excited about this
this is so sad and depressing
i am sad and wish things were different
the movie was boring and disappointing
i thought i would be happy but i am not
he broke my heart
i feel hopeless
nobody understands me and i feel lonely
i feel let down and disappointed
my vacation was ruined
that is such bad news
i am not having fun
i feel lonely with no one to talk to
the test results were bad
i am feeling blue
i am sorry for your loss
my car broke down again
i hate mondays they make me miserable
i am never happy
today was awful
our trip got canceled and i am disappointed
i feel like crying
i am so disappointed
the meal was not worth the wait
i did not sleep at all
i am not feeling good
she left me and i cried
i am depressed
it is not fair
nothing makes me laugh anymore
i do not love you anymore
we will never see him again
i lost my wallet and i feel awful
the party was not fun
my plants all died and i feel sad
i am sad and gloomy today
i feel miserable
that was a huge disappointment
i was not invited
i studied hard and still failed and i am upset
no one remembered my birthday and i feel sad
i am sad that summer is over
i hurt my knee and cannot play
my favorite restaurant closed
it is hard to smile today
i am not glad about this at all
the sad news made me cry
i am unhappy with my job
i feel sorry for myself
we broke up last night and i cried
i got rejected again
i am so bored
i am not in a good mood
my cat is sick and i am worried
the game was a disaster
i cannot stop crying
i never win anything
my heart is broken
i feel so alone and sad
things are not going well
i wish i were not here
this day could not get any worse
my friends forgot about me and i feel hurt
i feel awful
i am tired and sad
we missed the last train home and i am upset
i was hoping for more and i am disappointed
he did not call me back
i am not laughing
such a sad story
i regret everything
i am not proud of this
my ice cream fell on the ground
the trip was not worth it
i am disappointed with the results
"""

FORK_AND_KNIFE = """
let us have dinner
i am hungry
what is for lunch
i want to eat pizza
the pasta was delicious
let us get some sushi
i made pancakes for breakfast
we are going to a steak restaurant
can you pass the salt
this soup tastes great
i am starving
dinner is ready
i ordered a burger and fries
let us grab a bite to eat
she bakes the best cookies
i would like some coffee
we had tacos for lunch
the chef cooked a great meal
i am cooking spaghetti tonight
do you want a sandwich
let us go out to eat
i had cereal for breakfast
the restaurant serves great noodles
i want some ice cream
we ate too much at the buffet
he makes the best barbecue
i need a snack
the salad was fresh
my mom is making lasagna
let us order chinese food
i eat fruit every day
breakfast is the most important meal
the bread is still warm
can we get dessert
i am making soup for dinner
we ate sandwiches at a picnic in the park
the cake tastes amazing
i want fried chicken
please set the table for dinner
i had a bowl of rice
the waiter brought our food
i am craving chocolate
we are having fish tonight
he ate the whole pizza
this curry is spicy
i skipped lunch today
let us cook together tonight
the kitchen smells of garlic
what should we eat tonight
i ordered a pepperoni pizza
we ate brunch with friends
the eggs are on the stove
the cookies are in the oven
i drink tea with honey
do you want more potatoes
i grilled some burgers
they serve the best tacos in town
i will bring the wine and cheese
we had pie for dessert
i need to buy groceries
the steak was cooked perfectly
lunch is on me today
i want a hot dog
my stomach is growling i need food
the menu has great options
she is a vegetarian
we are baking bread
i had oatmeal with berries
let us meet for lunch
i am not hungry yet
i did not eat breakfast today
the soup needs more salt
we ate dumplings
i like my eggs scrambled
pass me the ketchup
the food here is tasty
i am going to the bakery
we ordered takeout
he cooks dinner every night
the peaches are ripe
i had a turkey sandwich
the smoothie was refreshing
let us get breakfast tomorrow
this burrito is huge
i am hungry for pancakes
the dinner menu looks good
we should try the new diner
i want a slice of cake
my dad grilled chicken for us
she made a tasty salad
i eat an apple every day
let us get a pizza tonight
the lemonade is cold
he eats spicy food every day
the soup is too hot to eat
i am making a sandwich
we had pasta and meatballs
the seafood was fresh
dinner will be ready in ten minutes
i ate so much food at that meal
i would like a cup of soup
do you want to eat out tonight
let us bake a cake
i put cheese on everything
the fries are crispy
i want noodles for dinner
we are roasting a turkey
the chocolate cake is in the fridge
can i have some more rice
i ate a big lunch
"""

HEART_MORE = """
my grandmother always hugs me when i visit
i miss you every single night
she held my hand during the whole movie
our dog sleeps at the foot of my bed
he proposed to her on the beach
we cuddled on the couch all evening
i adore my little brother
my best friend always has my back
she kissed the baby on the forehead
i think about you all the time
the cat curled up in my lap
they held each other tightly at the airport
i will always be there for you
mom tucked the kids into bed with a kiss
he brought her flowers just because
we have been together since high school
i am so lucky to have you in my life
my husband is my best friend
she whispered sweet words in his ear
i treasure every moment with my family
grandpa calls me every sunday to say hello
my puppy licks my face every morning
you are the one for me
we danced slowly under the moonlight
she is my soulmate
my daughter gave me a big hug
we take care of each other
he cannot stop thinking about her
i fell for him the moment we met
my aunt always sends me warm notes
darling you are beautiful
they renewed their wedding vows last spring
she called just to check on me
he missed his girlfriend while he was abroad
we hold hands on our evening walks
the old couple still flirts with each other
i cherish our friendship
my sister and i share everything
he sang a song for his sweetheart
she adores the kittens she rescued
our kids are the light of our lives
i am crazy about him
honey i am thinking of you
i hugged my dad goodbye at the station
we spent our anniversary watching the stars
nothing will ever change how i feel about you
i do not want to spend a day without you
we cooked dinner together and i adore him
i never get tired of being with you
he watched the whole match just to sit beside her
no one could ever replace you in my heart
i do not care about the food as long as you are with me
i will not stop loving you even when we fight
she is not just my sister she is my best friend
my cat purrs whenever i pet her
"""


BASEBALL_MORE = """
he hit a home run in the last inning
she swims laps before work
the pitcher threw a perfect strike
we play soccer every saturday morning
my brother is training for a marathon
the coach made us run extra sprints
the stadium was full of cheering fans
she scored two goals in the second half
they practice tennis on the weekends
the quarterback threw a long pass
he is the fastest runner on the track team
the referee blew the whistle
we went cycling along the river
my son plays shortstop for his school
the hockey season starts next week
the goalkeeper made an amazing save
i joined a basketball league
she does yoga every morning
the players stretched before kickoff
he dribbled past three defenders
the umpire called him out at first base
we watched the world cup final on television
my legs are sore from the long hike
the boxer landed a heavy punch
let us play catch in the yard
he signed a contract with a professional club
the golf tournament was broadcast live
i am going to the ballpark tonight
our volleyball team travels to the finals
they wore their jerseys to the playoffs
i do push ups and sit ups every night
the race starts at dawn
he wrestles for his college
the fans chanted the name of the striker
we skated on the frozen pond
the score was tied in the ninth
i bought a new glove and bat
she is captain of the rugby team
the game went to extra innings
my dad coaches little league
the sprinters lined up at the start
he trains at the pool every afternoon
the league announced the new schedule
i climbed the rock wall at the gym
we rowed across the lake in the regatta
the team drafted a young pitcher
she jogs around the park after school
the match ended in a draw
they warmed up with some laps
the home team took the lead in the third quarter
i want to try out for the team
the game is on tonight
we did not lose a single match all season
after dinner we went to the batting cages
he never misses a workout
"""


SMILE_MORE = """
i passed my driving test
we laughed until our stomachs hurt
my sister got the job she wanted
she smiled all day after the good news
we are throwing a party tonight
the kids giggled at the funny clown
finally it is friday
i am so glad you came
he told the funniest joke
my exam results were great
the sun is shining and i feel great
we celebrated her promotion
i got a raise at work
this puppy video made me laugh
i am in such a good mood today
we had a blast at the concert
my flight was not cancelled after all
she graduated with honors
the weekend was so much fun
they cheered when the results came in
the baby laughed for the first time
we finally finished the project
our friends threw me a surprise party
that comedy show was hilarious
i found my lost keys what a relief
he is grinning from ear to ear
the doctor said i am healthy
school is out for summer
i got tickets to the show
we won a free trip to the beach
she could not stop smiling
my friend made me laugh so hard
the test was easier than i expected
good things keep happening to me
i am thrilled about the news
we had a great time at the fair
my brother got into his dream school
life is good
i cannot stop grinning
the rain stopped just in time for the parade
everyone at the office was cheerful today
my plants finally bloomed
she is beaming with joy
this is wonderful news
the fireworks were amazing
i feel lucky today
he laughed at my silly story
i am not worried anymore everything is fine
i laughed so hard at the silly team mascot
the quiz was not hard at all and i got every answer right
we burned the dinner but laughed about it all night
there is no homework this week
i never expected such great news
the scan showed nothing wrong and i am relieved
i do not have to work tomorrow
"""


DISAPPOINTED_MORE = """
my flight got cancelled
i lost my job today
it rained all through our vacation
she broke up with me
the concert was sold out
we missed the last train home
i regret saying those words
the results were worse than i feared
everything is going wrong this week
i am tired of being ignored
my plans fell apart
my grades dropped this semester
the trip was a total waste
i cried myself to sleep
our dog ran away
they rejected my application
i feel empty inside
he ignored all my calls
i was let down again
everyone left without saying goodbye
the boss scrapped my project
i wish things had been different
the weather ruined our picnic
it was a terrible day
my best friend lied to me
someone else got the promotion instead of me
the package got lost in the mail
we lost the house
i spend every evening by myself
this is the worst news
i made a huge mistake
my hard work was for nothing
the shop was closed when we got there
my laptop crashed and i lost everything
she stood me up on our first date
i feel gloomy and tired
the tickets were too expensive so we stayed home
our trip was called off
he is depressed about his divorce
i studied hard but still failed
the news made me cry
my wallet was stolen
i waited for hours and then they closed
nobody remembered my name
things keep going wrong
the holiday was a disappointment
our team got beaten badly again and i feel awful
i could not stop crying at the funeral
the cake i baked for the party collapsed and i felt awful
the trip was not worth it at all
i never got a chance to say sorry
my friends did not invite me
the coach cut me from the team and i feel terrible
nobody ate the dinner i cooked and it hurt
i tried my best but it was not enough
"""


FORK_AND_KNIFE_MORE = """
she baked fresh bread this morning
we had pancakes for breakfast
my dad grills the best burgers
i want a cup of coffee
the restaurant serves great sushi
he chopped onions for the stew
we need eggs and milk from the store
i drank a glass of orange juice
she ordered a salad with chicken
we shared a bowl of noodles
grandma makes amazing apple pie
i had cereal for dinner
the steak was juicy and tender
they opened a new bakery downtown
i love spicy tacos
we went grocery shopping after work
the chef prepared a special menu
he ate three slices of cake
i am craving ice cream
the kids ate their vegetables
we roasted a chicken for sunday dinner
she drinks tea every afternoon
i packed a sandwich for lunch
we tried the new diner on main street
the fruit at the market looked fresh
he makes his own sauce
dinner will be served at seven
i put too much sugar in my coffee
she is a great cook
the cookies smell delicious
we ate rice and beans
i had a burger and fries
the buffet had so many choices
my mom is frying fish
pour me some water please
the cheese was sharp and creamy
i skipped breakfast and i am hungry
we split a dessert
he is boiling potatoes
the bakery sells warm croissants
we had a barbecue in the backyard
she peeled the oranges
i ordered takeout
our fridge is empty we need groceries
the meal was not too salty this time
i do not eat meat so i ordered the salad
we ate hot dogs and peanuts at the ballpark
no dessert until you finish your dinner
i cannot cook without garlic
my uncle eats three meals a day
i love the noodles at that place
my sister cooked us a huge feast
do not forget to buy bread and butter
after practice the whole team ate spaghetti
nothing beats a hot bowl of soup
"""


CLASSES = (HEART, BASEBALL, SMILE, DISAPPOINTED, FORK_AND_KNIFE)  # label = position
MORE_TRAIN = (HEART_MORE, BASEBALL_MORE, SMILE_MORE, DISAPPOINTED_MORE, FORK_AND_KNIFE_MORE)  # training only


def sentences(block):
    return [line for line in block.strip().splitlines()]


def split(seed=SEED, test_per_class=TEST_PER_CLASS, dev_per_class=DEV_PER_CLASS):
    """{"train": [(text, label)], "dev": [...], "test": [...]}: each class split on its own, rows shuffled.

    The second batch (MORE_TRAIN) joins training after the first split is drawn, so it changes no dev or test row.
    """
    rng = np.random.default_rng(seed)
    rows = {"train": [], "dev": [], "test": []}
    for label, block in enumerate(CLASSES):
        texts = sentences(block)
        order = rng.permutation(len(texts))
        first_train = test_per_class + dev_per_class
        rows["test"] += [(texts[i], label) for i in order[:test_per_class]]
        rows["dev"] += [(texts[i], label) for i in order[test_per_class:first_train]]
        rows["train"] += [(texts[i], label) for i in order[first_train:]]
    shuffled = {name: [part[i] for i in rng.permutation(len(part))] for name, part in rows.items()}
    train = shuffled["train"] + [(text, label) for label, block in enumerate(MORE_TRAIN) for text in sentences(block)]
    shuffled["train"] = [train[i] for i in np.random.default_rng(SECOND_BATCH_SEED).permutation(len(train))]
    return shuffled


def jaccard(text_a, text_b):
    """Shared distinct words over all distinct words of two sentences, in [0, 1]."""
    a, b = set(text_a.split()), set(text_b.split())
    return len(a & b) / len(a | b)


def too_close_to_held_out(rows):
    """The second-batch sentences that share HELD_OUT_OVERLAP or more (Jaccard) with a dev or test sentence."""
    held_out = [text for name in ("dev", "test") for text, _ in rows[name]]
    return [text for block in MORE_TRAIN for text in sentences(block)
            if max(jaccard(text, other) for other in held_out) >= HELD_OUT_OVERLAP]


def main():
    for blocks, size in ((CLASSES, None), (MORE_TRAIN, SECOND_BATCH_PER_CLASS)):
        sizes = [len(sentences(block)) for block in blocks]
        if len(set(sizes)) != 1 or size not in (None, sizes[0]):
            raise SystemExit(f"classes differ in size or miss their count ({size}): {sizes}")
    rows = split()
    if close := too_close_to_held_out(rows):
        raise SystemExit(f"second-batch sentences too close to a dev or test sentence: {close}")
    for name, part in rows.items():
        with open(FOLDER / f"emoji5_{name}.csv", "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(["text", "label"])
            writer.writerows(part)
        print(f"emoji5_{name}.csv: {len(part)} rows")


if __name__ == "__main__":
    main()
